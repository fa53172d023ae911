import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultProxy } from "../../bench/support/FaultProxy.js";
import { s3rverEnv, startS3rver, type RunningS3rver } from "../support/startS3rver.js";
import { buildCli, roadrig } from "./cliHarness.js";

const LOG = "(1700000000.000000) can0 123#0102\n(1700000000.010000) can1 456#03\n";
let server: RunningS3rver;
const cacheDir = mkdtempSync(join(tmpdir(), "roadrig-cli-cache-"));

beforeAll(async () => {
  buildCli();
  server = await startS3rver(["logs"]);
  await server.put("logs", "drives/a.log", new TextEncoder().encode(LOG));
}, 180_000);

afterAll(async () => {
  await server.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

function awsEnv(endpoint = server.endpoint): Record<string, string> {
  return s3rverEnv(endpoint);
}

describe("roadrig replay s3://", () => {
  it("replays a log straight from S3 with the standard AWS settings", async () => {
    const result = await roadrig(
      ["replay", "s3://logs/drives/a.log", "--to", "candump:-", "--rate", "0"],
      awsEnv(),
    );
    expect(result.stderr).not.toMatch(/"level":50/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(LOG);
  });

  it("replays through the NAS cache with --cache-dir, twice with the same result", async () => {
    const args = ["replay", "s3://logs/drives/a.log", "--to", "candump:-", "--rate", "0"];
    const first = await roadrig([...args, "--cache-dir", cacheDir], awsEnv());
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(LOG);
    expect(readdirSync(cacheDir, { recursive: true }).length).toBeGreaterThan(0);
    const second = await roadrig([...args, "--cache-dir", cacheDir], awsEnv());
    expect(second.stdout).toBe(LOG);
  });

  it("exits 1 naming the URL for a missing object", async () => {
    const result = await roadrig(["replay", "s3://logs/nope.log", "--to", "candump:-"], awsEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("s3://logs/nope.log");
  });

  it("warns with figures when the link cannot sustain the log's data rate", async () => {
    // 6 MiB of CAN FD lines over 0.3 s of log: 20 MB/s needed, through a 2 MB/s link. The
    // first 4 MiB come with the open; the rest cannot arrive in time.
    const payload = "A5".repeat(64);
    const lines = Array.from({ length: 40_000 }, (_, i) =>
      `(1700000000.${String(Math.floor((i * 300_000) / 40_000)).padStart(6, "0")}) can0 123##0${payload}\n`);
    const body = new TextEncoder().encode(lines.join(""));
    expect(body.length).toBeGreaterThan(6 * 1024 * 1024);
    await server.put("logs", "drives/big.log", body);
    const proxy = await FaultProxy.start(server.port, { delayMs: 25, bytesPerSecond: 2e6 });
    try {
      const result = await roadrig(
        ["replay", "s3://logs/drives/big.log", "--to", "virtual:null", "--json"],
        awsEnv(proxy.endpoint),
      );
      expect(result.code).toBe(0);
      const entries = result.stderr.split("\n").filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const warning = entries.find((e) => e.msg === "S3 read-ahead ran dry: reads waited for the network");
      const figures = {
        underruns: warning?.underruns, waitMs: warning?.waitMs, neededMBps: warning?.neededMBps,
        achievedMBps: warning?.achievedMBps,
        lateFramesDuringIoWait: warning?.lateFramesDuringIoWait,
      } as Record<string, number>;
      expect(warning?.level).toBe(40);
      expect(figures.underruns).toBeGreaterThanOrEqual(1);
      expect(figures.waitMs).toBeGreaterThan(100);
      expect(figures.neededMBps).toBeGreaterThan(figures.achievedMBps as number);
      // The frames behind the wait went out late, and the summary puts them down to I/O.
      expect(figures.lateFramesDuringIoWait).toBeGreaterThan(0);
      const summary = JSON.parse(result.stdout) as { frames: number; streaming: unknown };
      expect(summary.frames).toBe(40_000);
      expect(summary.streaming).toEqual(figures);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
