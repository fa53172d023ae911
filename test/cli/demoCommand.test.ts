import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, roadrig } from "./cliHarness.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-demo-"));
beforeAll(buildCli, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("roadrig demo", () => {
  it("writes the sample drive once and replays a window of it as candump lines", async () => {
    const args = ["demo", "--duration", "0.5", "--rate", "0", "--cache-dir", dir];
    const first = await roadrig(args);
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(line).toMatch(/^\(\d{10}\.\d{6}\) \S+ [0-9A-F]{3,8}#(#[0-9A-F])?[0-9A-F]*$/);
    const times = lines.map((l) => Number(l.slice(1, l.indexOf(")"))));
    expect(times[times.length - 1]! - times[0]!).toBeLessThanOrEqual(0.5);
    expect(existsSync(join(dir, "sample-drive-seed1-180s.mf4"))).toBe(true);

    const again = await roadrig(args);
    expect(again.stdout).toBe(first.stdout);
  });

  it("replays at the recorded pace by default", async () => {
    const result = await roadrig(["demo", "--duration", "0.3", "--cache-dir", dir, "--to", "virtual:demo"]);
    expect(result.code).toBe(0);
    const done = result.stderr.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "demo done");
    expect(done?.wallSeconds).toBeGreaterThan(0.2);
  });
});
