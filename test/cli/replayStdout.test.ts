import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/sharedData.js";
import { buildCli, type CliResult } from "./cliHarness.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-stdout-"));
const logPath = join(dir, "big.log");
// About 1 MiB of lines: many times a pipe's buffer.
const LOG = Array.from({ length: 25_000 }, (_, i) =>
  `(1700000000.${String(i).padStart(6, "0")}) can0 123#${(i & 0xffff).toString(16).toUpperCase().padStart(4, "0")}\n`,
).join("");

beforeAll(() => {
  buildCli();
  writeFileSync(logPath, LOG);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the CLI with its stdout on a real pipe (through `cat`: a child's own stdio is a socket
 * pair) whose far end is read only once the replay has started, then a few ms late per chunk.
 */
function replayToLaggingReader(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const cli = [process.execPath, join(repoRoot, "bin", "roadrig.js"), ...args];
    const child = spawn("bash", ["-o", "pipefail", "-c", '"$0" "$@" | cat', ...cli], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const lagging = (d: string): void => {
      stdout += d;
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 3);
    };
    child.stdout.setEncoding("utf8").pause();
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      if (/replay started/.test(stderr) && child.stdout.listenerCount("data") === 0) {
        child.stdout.on("data", lagging).resume();
      }
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("roadrig replay --to candump:-", () => {
  // The pretty logger reads process.stdout, which turns a piped fd 1 non-blocking; the lines
  // must still all arrive when the reader lags behind an unpaced replay.
  it.each(["pretty", "json"])("gives a lagging pipe every line with %s logs", async (format) => {
    const result = await replayToLaggingReader(
      ["--log-format", format, "replay", logPath, "--to", "candump:-", "--rate", "0"],
    );
    expect(result.stderr).not.toMatch(/write failed|"level":50|ERROR/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(LOG);
  }, 60_000);
});
