import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { replayWithResults } from "../../cli/replay/replayWithResults.js";
import { runReplay, type ReplayFlags } from "../../cli/replayCommand.js";
import type { ReplaySummary } from "../../replay/ReplaySummary.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-cli-signals-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LOG = Array.from({ length: 50 }, (_, i) =>
  `(1700000000.${String(i * 10000).padStart(6, "0")}) can0 100#${i.toString(16).padStart(2, "0")}\n`,
).join("");

function flags(out: string): ReplayFlags {
  return {
    to: [`candump:${out}`], rate: "0", timeJumps: "error", offset: [], channel: [], idFilter: [],
    map: [], progress: false, readWorker: false,
  };
}

describe("roadrig replay signals", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`a ${signal} while the logs are opening stops the replay: nothing is played`, async () => {
      const log = join(dir, `${signal}.log`);
      const out = join(dir, `${signal}.out.log`);
      writeFileSync(log, LOG);
      const quiet = pino({ level: "silent" });
      let reported: ReplaySummary | undefined;
      await replayWithResults([log], flags(out), {
        logger: () => quiet,
        run: (runFlags, runLog, record, stop) => {
          // As a Ctrl-C that comes before the replay has set its own handler.
          process.emit(signal, signal);
          return runReplay([log], runFlags, runLog, record, stop);
        },
        report: (summary) => {
          reported = summary;
        },
      });
      expect(reported?.stopped).toBe(true);
      expect(reported?.frames).toBe(0);
      expect(readFileSync(out, "utf8")).toBe("");
    });
  }
});
