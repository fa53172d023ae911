import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it, vi } from "vitest";
import { InterruptedError } from "../../cli/replay/InterruptedError.js";
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
  for (const [signal, exitCode] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`a ${signal} while the logs are opening ends the run at once: nothing is played`, async () => {
      const log = join(dir, `${signal}.log`);
      const out = join(dir, `${signal}.out.log`);
      writeFileSync(log, LOG);
      const quiet = pino({ level: "silent" });
      let reported: ReplaySummary | undefined;
      const failure: unknown = await replayWithResults([log], flags(out), {
        logger: () => quiet,
        run: (runFlags, runLog, record, stop) => {
          // As a Ctrl-C that comes before the replay has set its own handler.
          process.emit(signal, signal);
          return runReplay([log], runFlags, runLog, record, stop);
        },
        report: (summary) => {
          reported = summary;
        },
      }).then(() => undefined, (err: unknown) => err);
      expect(failure).toBeInstanceOf(InterruptedError);
      expect(failure).toMatchObject({ exitCode, message: `${signal} while opening ${log}: nothing was replayed` });
      expect(reported).toBeUndefined();
      expect(existsSync(out)).toBe(false);
    });
  }

  it("with --results DIR, a SIGINT while the logs are opening writes the bundle, then ends the run as the signal", async () => {
    const log = join(dir, "results-signal.log");
    const out = join(dir, "results-signal.out.log");
    const results = join(dir, "results");
    writeFileSync(log, LOG);
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
    const failure: unknown = await replayWithResults([log], { ...flags(out), results }, {
      logger: () => logger,
      run: (runFlags, runLog, record, stop) => {
        process.emit("SIGINT", "SIGINT");
        return runReplay([log], runFlags, runLog, record, stop);
      },
      report: () => undefined,
    }).then(() => undefined, (err: unknown) => err);
    // Thrown, for the CLI's exit code 130 (and its prompt exit), already logged once.
    expect(failure).toBeInstanceOf(InterruptedError);
    expect(failure).toMatchObject({ exitCode: 130, logged: true });
    const said = lines.filter((l) => l.includes("nothing was replayed"));
    expect(said).toHaveLength(1);
    expect(said[0]).not.toContain("stack");
    const [runId] = readdirSync(results);
    const report = JSON.parse(readFileSync(join(results, runId ?? "", "report.json"), "utf8")) as {
      outcome: string;
      errors: { code?: string; message: string }[];
    };
    // Stopped by the user, not failed: nothing went wrong, nothing was replayed.
    expect(report.outcome).toBe("stopped");
    expect(report.errors).toEqual([expect.objectContaining({
      code: "E_INTERRUPTED", message: `SIGINT while opening ${log}: nothing was replayed`,
    })]);
    expect(existsSync(out)).toBe(false);
  });

  it("a SIGINT does not wait for an S3 open that is being retried", async () => {
    // A loopback port with nothing listening: every attempt is refused, and retried.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Credentials from the environment, so that the client asks nothing of any other host.
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
    const stop = new AbortController();
    const run = runReplay(["s3://logs/drive.log"], {
      ...flags(join(dir, "never.log")), endpointUrl: `http://127.0.0.1:${port}`, region: "us-east-1",
      forcePathStyle: true,
    }, pino({ level: "silent" }), undefined, stop.signal);
    stop.abort("SIGINT");
    // Without the stop, this would be the connection error, after the retries' backoff.
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    vi.unstubAllEnvs();
  });
});
