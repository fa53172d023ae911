import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultProxy } from "../../bench/support/FaultProxy.js";
import { s3rverEnv, startS3rver, type RunningS3rver } from "../support/startS3rver.js";
import { buildCli, roadrig, roadrigWatched } from "./cliHarness.js";

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

  it.each([
    ["in the replay's thread", "--no-read-worker"],
    ["through the read worker", "--read-worker"],
  ])("says who holds a cache entry's lock while it waits for it (%s), then replays", async (_, mode) => {
    const dir = mkdtempSync(join(tmpdir(), "roadrig-cli-lock-wait-"));
    try {
      const args = ["replay", "s3://logs/drives/a.log", "--to", "candump:-", "--rate", "0",
        "--cache-dir", dir, mode];
      expect((await roadrig(args, awsEnv())).code).toBe(0);
      const [entry] = readdirSync(join(dir, "entries"));
      // A live holder on another host: only its heartbeat could tell it died, in 60 s.
      const lock = join(dir, "entries", entry as string, "lock");
      mkdirSync(lock);
      writeFileSync(join(lock, "owner.json"),
        JSON.stringify({ host: "rig-07", pid: 4242, token: "t", since: Date.now() }));
      let released = false;
      const result = await roadrigWatched(args, awsEnv(), (stderr) => {
        if (!released && stderr.includes("waiting")) {
          released = true;
          rmSync(lock, { recursive: true, force: true });
        }
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(LOG);
      const notice = result.stderr.split("\n").filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { level: number; msg: string; lock?: string })
        .find((e) => e.msg.includes("waiting"));
      expect(notice?.level).toBe(40);
      expect(notice?.lock).toBe(lock);
      expect(notice?.msg).toContain(`${lock}: waiting`);
      expect(notice?.msg).toContain("for the lock held by pid 4242 on rig-07");
      expect(notice?.msg).toContain("presumed dead 60.0 s after its last heartbeat");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes the store from --endpoint-url, --region and --force-path-style", async () => {
    const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = awsEnv();
    const result = await roadrig(
      ["replay", "s3://logs/drives/a.log", "--to", "candump:-", "--rate", "0",
        "--endpoint-url", server.endpoint, "--region", "us-east-1", "--force-path-style"],
      { AWS_ACCESS_KEY_ID: AWS_ACCESS_KEY_ID ?? "", AWS_SECRET_ACCESS_KEY: AWS_SECRET_ACCESS_KEY ?? "" },
    );
    expect(result.stderr).not.toMatch(/"level":50/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(LOG);
  });

  it("refuses a 0-byte object as an empty file, naming the URL, without a crash", async () => {
    await server.put("logs", "drives/empty.log", new Uint8Array(0));
    const result = await roadrig(
      ["replay", "s3://logs/drives/empty.log", "--to", "candump:-"], awsEnv());
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const error = result.stderr.split("\n").filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { level: number; msg: string; err?: { type?: string } })
      .find((e) => e.level === 50);
    expect(error?.err?.type).toBe("FormatError");
    expect(error?.err).toMatchObject({ file: "s3://logs/drives/empty.log", offset: 0 });
    expect(error?.msg).toContain("s3://logs/drives/empty.log");
    expect(error?.msg).toContain("found an empty file");
    expect(result.stderr).not.toContain("    at ");
  });

  it.each([
    ["in the replay's thread", "0"],
    ["through the read worker", "1"],
  ])("replays every frame when connections are cut mid-range (%s), warning of the retries", async (_, rate) => {
    const lines = Array.from({ length: 200_000 }, (_, i) =>
      `(1700000000.${String(i * 4).padStart(6, "0")}) can0 123#${(i % 256).toString(16).padStart(2, "0").toUpperCase()}\n`);
    const key = `drives/cut-${rate}.log`;
    await server.put("logs", key, new TextEncoder().encode(lines.join("")));
    const proxy = await FaultProxy.start(server.port, {
      cut: (n) => (n < 3 ? { afterBytes: 500_000 + n * 100_000, how: n === 1 ? "reset" : "close" }
        : undefined),
    });
    try {
      const result = await roadrig(
        ["replay", `s3://logs/${key}`, "--to", "candump:-", "--rate", rate],
        awsEnv(proxy.endpoint),
      );
      expect(result.code).toBe(0);
      expect(proxy.cuts).toBeGreaterThan(0);
      // Compared whole, not diffed: a diff of 6 MB of text would take minutes.
      const expected = lines.join("");
      expect(result.stdout.length).toBe(expected.length);
      expect(result.stdout === expected).toBe(true);
      // Said in the log, not only counted in the summary: which log, how often, from where.
      const retried = result.stderr.split("\n").filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { level: number; msg: string; source?: string;
          retries?: number; lastRetry?: string })
        .filter((e) => e.msg === "S3 reads retried");
      expect(retried.length).toBeGreaterThan(0);
      expect(retried.every((e) => e.level === 40 && e.source === `s3://logs/${key}`)).toBe(true);
      expect(retried.at(-1)?.retries).toBeGreaterThanOrEqual(proxy.cuts);
      expect(retried.at(-1)?.lastRetry).toMatch(/; again from byte \d+$/);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it("warns of retries while a paced replay runs, not only at its end", async () => {
    // 4 s of log, cut early: the read-ahead retries at once, the replay plays on for seconds.
    const lines = Array.from({ length: 20_000 }, (_, i) => {
      const us = i * 200;
      const time = `${1_700_000_000 + Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, "0")}`;
      return `(${time}) can0 123#${(i % 256).toString(16).padStart(2, "0").toUpperCase()}\n`;
    });
    await server.put("logs", "drives/cut-early.log", new TextEncoder().encode(lines.join("")));
    const proxy = await FaultProxy.start(server.port, {
      cut: (n) => (n === 0 ? { afterBytes: 200_000, how: "reset" } : undefined),
    });
    try {
      const result = await roadrig(["replay", "s3://logs/drives/cut-early.log", "--to",
        "virtual:null", "--json"], awsEnv(proxy.endpoint));
      expect(result.code, result.stderr).toBe(0);
      expect(proxy.cuts).toBe(1);
      const entries = result.stderr.split("\n").filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { msg: string; time: number });
      const retried = entries.find((e) => e.msg === "S3 reads retried");
      const started = entries.find((e) => e.msg === "replay started");
      expect(retried).toBeDefined();
      expect(started).toBeDefined();
      // Logged about a second after the retry, while nearly all of the 4 s were still to play.
      const wallMs = (JSON.parse(result.stdout) as { wallSeconds: number }).wallSeconds * 1000;
      expect(wallMs).toBeGreaterThan(3900);
      expect(retried!.time - started!.time).toBeLessThan(wallMs - 1500);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it("exits 1 naming the URL for a missing object", async () => {
    const result = await roadrig(["replay", "s3://logs/nope.log", "--to", "candump:-"], awsEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("s3://logs/nope.log");
  });

  it("does not warn of waits for the network in an unpaced replay, which always waits", async () => {
    // 6 MiB at --rate 0 behind a 25 ms delay: every chunk after the first is waited for.
    const body = new TextEncoder().encode(
      "(1700000000.000000) can0 123#0011223344556677\n".repeat(150_000));
    await server.put("logs", "drives/unpaced.log", body);
    const proxy = await FaultProxy.start(server.port, { delayMs: 25 });
    try {
      const result = await roadrig(["replay", "s3://logs/drives/unpaced.log", "--to",
        "virtual:null", "--rate", "0", "--json", "--log-level", "debug"], awsEnv(proxy.endpoint));
      expect(result.code).toBe(0);
      const entries = result.stderr.split("\n").filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { msg: string; level: number; underruns?: number });
      expect(entries.find((e) => e.msg.startsWith("S3 read-ahead ran dry"))).toBeUndefined();
      const waited = entries.find((e) => e.msg === "reads waited for the network (unpaced replay)");
      expect(waited?.level).toBe(20);
      expect(waited?.underruns).toBeGreaterThanOrEqual(1);
    } finally {
      await proxy.close();
    }
  }, 60_000);

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
