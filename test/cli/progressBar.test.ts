import { describe, expect, it } from "vitest";
import { renderProgress } from "../../cli/progressBar.js";

describe("renderProgress", () => {
  it("draws a bar, percentage and times when the window's length is known", () => {
    const line = renderProgress(
      { doneNs: 5e9, totalNs: 20e9, frames: 1234, pass: 0, paused: false },
      20,
    );
    expect(line).toBe("[#####---------------]  25%  5.0 s / 20.0 s  1234 frames");
  });

  it("shows time and frames only when the length is unknown, with the pass and pause", () => {
    const line = renderProgress(
      { doneNs: 1.25e9, totalNs: undefined, frames: 7, pass: 2, paused: true },
      20,
    );
    expect(line).toBe("1.3 s  7 frames, pass 3 [paused: space resumes]");
  });

  it("never overfills the bar", () => {
    const state = { doneNs: 30e9, totalNs: 20e9, frames: 1, pass: 0, paused: false };
    const line = renderProgress(state, 10);
    expect(line.startsWith("[##########] 100%")).toBe(true);
  });
});
