import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../cli/logger.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("createLogger", () => {
  // Touching process.stdout makes a piped fd 1 non-blocking; `--to candump:-` then writes to
  // it through fs, whose retries give up ("write failed") as soon as a slow reader lags.
  // (Pretty logs cannot: Readable.pipe reads process.stdout; CandumpOutput copes with that.)
  it("leaves stdout untouched for JSON logs", () => {
    const stdout = vi.spyOn(process, "stdout", "get");
    const log = createLogger({ format: "json", level: "silent" });
    log.info("nothing");
    expect(stdout).not.toHaveBeenCalled();
  });

  it("leaves stdout untouched when it also writes a run log", () => {
    const dir = mkdtempSync(join(tmpdir(), "roadrig-logger-"));
    try {
      const stdout = vi.spyOn(process, "stdout", "get");
      const file = join(dir, "run.log");
      createLogger({ format: "json", level: "info", alsoTo: file }).info("kept");
      expect(stdout).not.toHaveBeenCalled();
      expect(readFileSync(file, "utf8")).toMatch(/"msg":"kept"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
