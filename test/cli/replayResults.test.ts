import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLog } from "../../replay/formats/openLog.js";
import type { RunReport } from "../../replay/results/RunReport.js";
import { startSilentServer, type SilentServer } from "../support/silentServer.js";
import { s3ClientOptionsFor, s3rverEnv, startS3rver, type RunningS3rver } from "../support/startS3rver.js";
import { buildCli, roadrig, roadrigWatched, type CliResult } from "./cliHarness.js";

const LOG = "(1700000000.000000) can0 123#0102\n(1700000000.010000) can1 456#03\n";
/** 300 frames over 30 s: still playing when the test sends SIGTERM. */
const LONG_LOG = Array.from({ length: 300 }, (_, i) =>
  `(${1700000000 + Math.floor(i / 10)}.${String((i % 10) * 100000).padStart(6, "0")}) can0 100#${(i % 256).toString(16).padStart(2, "0")}\n`,
).join("");
let server: RunningS3rver;
let logEtag: string;
const dir = mkdtempSync(join(tmpdir(), "roadrig-cli-results-"));

beforeAll(async () => {
  buildCli();
  server = await startS3rver(["logs", "results"]);
  logEtag = await server.put("logs", "drives/a.log", new TextEncoder().encode(LOG));
  await server.put("logs", "drives/long.log", new TextEncoder().encode(LONG_LOG));
}, 180_000);

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function awsEnv(endpoint = server.endpoint): Record<string, string> {
  return s3rverEnv(endpoint);
}

async function keysUnder(prefix: string): Promise<string[]> {
  const out = await server.client.send(
    new ListObjectsV2Command({ Bucket: "results", Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? "").sort();
}

async function objectText(key: string): Promise<string> {
  const out = await server.client.send(new GetObjectCommand({ Bucket: "results", Key: key }));
  return (await out.Body?.transformToString()) ?? "";
}

/** Frames in a capture file, read back with roadrig's own reader (path or s3:// URL). */
async function framesIn(pathOrUrl: string): Promise<number> {
  const reader = await openLog(pathOrUrl, {
    s3: { clientOptions: s3ClientOptionsFor(server.endpoint) },
  });
  let frames = 0;
  for await (const batch of reader.batches()) frames += batch.length;
  await reader.close();
  return frames;
}

function logLines(stderr: string): Record<string, unknown>[] {
  return stderr.trim().split("\n").filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("roadrig replay --results s3://", () => {
  it("plays s3:// to candump:- and leaves capture, report and log under a run-id folder",
    async () => {
      const result = await roadrig(["replay", "s3://logs/drives/a.log", "--to", "candump:-",
        "--to", "virtual:dut", "--rate", "0", "--capture", "virtual:dut",
        "--results", "s3://results/runs/"], awsEnv());
      expect(result.stderr).not.toMatch(/"level":50/);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(LOG);
      const keys = await keysUnder("runs/");
      const runId = /^runs\/([^/]+)\//.exec(keys[0] ?? "")?.[1] ?? "";
      expect(runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
      expect(keys).toEqual(["capture.mf4", "report.json", "run.log"].map((f) => `runs/${runId}/${f}`));

      const report = JSON.parse(await objectText(`runs/${runId}/report.json`)) as RunReport;
      expect(report).toMatchObject({ runId, outcome: "completed", errors: [] });
      expect(report.sources).toEqual([expect.objectContaining({
        name: "s3://logs/drives/a.log", format: "candump", size: LOG.length, etag: logEtag,
      })]);
      expect(report.sources[0]?.s3?.bytesFetched).toBe(LOG.length);
      expect(report.outputs.map((o) => [o.target, o.frames, o.framesPerChannel])).toEqual([
        ["candump:-", 2, { can0: 1, can1: 1 }],
        ["virtual:dut", 2, { can0: 1, can1: 1 }],
      ]);
      expect(report.replay?.frames).toBe(2);
      expect(report.capture?.frames).toBe(
        await framesIn(`s3://results/runs/${runId}/capture.mf4`));

      const runLog = logLines(await objectText(`runs/${runId}/run.log`));
      expect(runLog.map((l) => l.msg)).toEqual(
        expect.arrayContaining(["replay started", "replay done", "uploading results"]));
      const local = logLines(result.stderr).find((l) => l.msg === "uploading results")?.bundle;
      expect(typeof local).toBe("string");
      expect(existsSync(String(local))).toBe(false);
    });

  it("uploads the bundle of a run that failed, with the error in the report, and exits 1",
    async () => {
      const result = await roadrig(["replay", "s3://logs/drives/nope.log", "--to", "candump:-",
        "--results", "s3://results/failed"], awsEnv());
      expect(result.code).toBe(1);
      const keys = await keysUnder("failed/");
      const reportKey = keys.find((k) => k.endsWith("/report.json")) ?? "";
      const report = JSON.parse(await objectText(reportKey)) as RunReport;
      expect(report.outcome).toBe("failed");
      expect(report.errors[0]?.message).toContain("s3://logs/drives/nope.log");
      expect(report.replay).toBeUndefined();
    });

  it("keeps the bundle on disk and says where when the bucket is missing", async () => {
    const result = await roadrig(["replay", "s3://logs/drives/a.log", "--to", "candump:-",
      "--rate", "0", "--results", "s3://nobucket/runs/"], awsEnv());
    expectKeptBundle(result, /nobucket/);
  });

  it("keeps the bundle on disk and says where when the server is gone", async () => {
    const port = await closedPort();
    const log = join(dir, "local.log");
    writeFileSync(log, LOG);
    const result = await roadrig(["replay", log, "--to", "candump:-", "--rate", "0",
      "--results", "s3://results/gone/"], awsEnv(`http://127.0.0.1:${port}`));
    expectKeptBundle(result, /ECONNREFUSED/);
  }, 60_000);

  it("stops cleanly on SIGTERM, uploads the bundle, then exits as the signal", async () => {
    const { stderr, code } = await terminatedRun(["replay", "s3://logs/drives/long.log",
      "--to", "virtual:rig", "--results", "s3://results/term/"]);
    expect(code).toBe(143);
    expect(stderr).toContain("results uploaded");
    const keys = await keysUnder("term/");
    const reportKey = keys.find((k) => k.endsWith("/report.json")) ?? "";
    const report = JSON.parse(await objectText(reportKey)) as RunReport;
    expect(report.outcome).toBe("stopped");
    expect(report.signal).toBe("SIGTERM");
    expect(report.replay?.frames).toBeLessThan(300);
    expect(report.outputs[0]?.frames).toBe(report.replay?.frames);
  }, 60_000);
});

describe("roadrig replay --results s3:// to a server that never answers", () => {
  let stalled: SilentServer;
  beforeAll(async () => (stalled = await startSilentServer()));
  afterAll(() => stalled.close());
  const stalledEnv = () => awsEnv(stalled.endpoint);

  it("gives the upload up after --results-timeout, keeps the bundle and exits 1", async () => {
    const log = join(dir, "timeout.log");
    writeFileSync(log, LOG);
    const result = await roadrig(["replay", log, "--to", "candump:-", "--rate", "0",
      "--results", "s3://results/hung/", "--results-timeout", "1"], stalledEnv());
    expectKeptBundle(result, /--results-timeout 1/);
  }, 30_000);

  it("ends a waiting upload on a second signal, keeps the bundle and exits", async () => {
    const log = join(dir, "long.log");
    writeFileSync(log, LONG_LOG);
    // The second SIGTERM once the upload's first request is waiting on the server.
    const requested = new Promise((resolve) => stalled.server.once("connection", resolve));
    const { code, stderr } = await signalledRun(["replay", log, "--to", "virtual:rig",
      "--results", "s3://results/hung2/"], stalledEnv(), requested);
    // Exited by itself, not killed by the second signal (code null), as the first signal
    // stopped it: 143, though the upload failed.
    expect(code).toBe(143);
    const failed = logLines(stderr).find((l) => l.msg?.toString().startsWith("results upload failed"));
    expect(JSON.stringify(failed?.err)).toMatch(/SIGTERM during the results upload/);
    const bundle = String(failed?.bundle);
    expect(readdirSync(bundle).sort()).toEqual(["report.json", "run.log"]);
    rmSync(bundle, { recursive: true, force: true });
  }, 30_000);
});

describe("roadrig replay --results DIR", () => {
  it("writes the bundle into a run-id folder there, capture as candump", async () => {
    const log = join(dir, "local2.log");
    writeFileSync(log, LOG);
    const results = join(dir, "bundles");
    const result = await roadrig(["replay", log, "--to", "virtual:x", "--rate", "0",
      "--capture", "virtual:x,virtual:y", "--capture-format", "candump", "--capture-linger", "0",
      "--results", results]);
    expect(result.code).toBe(0);
    const [runId] = readdirSync(results);
    const bundle = join(results, runId ?? "");
    expect(readdirSync(bundle).sort()).toEqual(["capture.log", "report.json", "run.log"]);
    const report = JSON.parse(readFileSync(join(bundle, "report.json"), "utf8")) as RunReport;
    expect(report.capture).toMatchObject({
      format: "candump", buses: ["virtual:x", "virtual:y"], frames: 0,
    });
    expect(readFileSync(join(bundle, "capture.log"), "utf8")).toBe("");
    expect(report.outputs[0]?.frames).toBe(2);
  });

  it("refuses a capture without a place to put it as wrong usage", async () => {
    const log = join(dir, "local3.log");
    writeFileSync(log, LOG);
    const result = await roadrig(["replay", log, "--to", "virtual:x", "--capture", "virtual:x"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--capture needs --capture-file or --results/);
    const bad = await roadrig(["replay", log, "--to", "virtual:x", "--capture", "candump:-",
      "--capture-file", join(dir, "c.mf4")]);
    expect(bad.code).toBe(2);
  });
});

function expectKeptBundle(result: CliResult, reason: RegExp): void {
  expect(result.code).toBe(1);
  const failed = logLines(result.stderr).find((l) => l.msg?.toString().startsWith("results upload failed"));
  const bundle = String(failed?.bundle);
  expect(String(failed?.msg)).toContain(bundle);
  expect(JSON.stringify(failed?.err)).toMatch(reason);
  expect(readdirSync(bundle).sort()).toEqual(["report.json", "run.log"]);
  rmSync(bundle, { recursive: true, force: true });
}

/** A port nothing listens on: a server's, just closed. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Runs roadrig, sends SIGTERM once it logs that the replay started, and collects the rest. */
function terminatedRun(args: string[]): Promise<CliResult> {
  return signalledRun(args, awsEnv(), undefined);
}

/** Runs roadrig, sends SIGTERM once the replay started, and again once `then` settles. */
function signalledRun(
  args: string[],
  env: Record<string, string>,
  then: Promise<unknown> | undefined,
): Promise<CliResult> {
  let signalled = false;
  return roadrigWatched(args, env, (stderr, child) => {
    if (signalled || !stderr.includes('"msg":"replay started"')) return;
    signalled = true;
    child.kill("SIGTERM");
    void then?.then(() => child.kill("SIGTERM"));
  });
}
