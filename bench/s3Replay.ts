import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { spawn } from "node:child_process";
import { createReadStream, existsSync, readFileSync, renameSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { makeFrame } from "../drivers/can/CanFrame.js";
import { makeDirectorySync } from "../drivers/fs/makeDirectory.js";
import type { CanFrame } from "../drivers/can/CanFrame.js";
import { openLog } from "../replay/formats/openLog.js";
import { CandumpWriter } from "../replay/formats/candump/CandumpWriter.js";
import { Mdf4Writer } from "../replay/formats/mdf4/Mdf4Writer.js";
import type { OutputStats, ReplayOutput } from "../replay/outputs/ReplayOutput.js";
import { Replay } from "../replay/Replay.js";
import type { S3ClientOptions } from "../replay/sources/createS3Client.js";
import { FaultProxy } from "./support/FaultProxy.js";
import { startS3rverProcess } from "./support/s3rverProcess.js";

/** Goals from the issue. */
const GOAL = { firstFrameMs: 500, rssMb: 200 } as const;
const BUCKET = "bench";
const DEFAULT_MB = 2048;
const ROUND_TRIP_MS = 50;

const thisFile = fileURLToPath(import.meta.url);
const root = resolve(dirname(thisFile), "..", "..");
const scratch = process.env.ROADRIG_BENCH_DIR ?? join(root, ".bench-out");

/**
 * `s3-replay [--mb=N] [--rounds=N] [--first-frame-only]`: an MF4 log of N MiB (default 2048)
 * and a 64 MiB candump log in s3rver (its own process). Time to first frame through a proxy
 * adding 50 ms per round trip, in a fresh process each round: in-process from opening the log
 * to the first frame sent, and for the whole CLI from spawn to the first candump line. Then
 * peak RSS of `roadrig replay --rate 0` over the whole object, and of a paced replay, sampled
 * from /proc (not with `--first-frame-only`), each from S3 and from the local copy of the log
 * side by side, `rounds` runs each (the highest counts).
 */
export async function main(args: readonly string[]): Promise<void> {
  const mb = Number(option(args, "mb") ?? DEFAULT_MB);
  const rounds = Number(option(args, "rounds") ?? 3);
  const key = `replay-${mb}mb.mf4`;
  // A fresh checkout has no scratch folder yet.
  makeDirectorySync(scratch);
  const log = ensureMdf4Log(join(scratch, key), mb * 2 ** 20);
  const textKey = `replay-${CANDUMP_MB}mb.log`;
  const textLog = await ensureCandumpLog(join(scratch, textKey), CANDUMP_MB * 2 ** 20);
  const server = await startS3rverProcess(join(scratch, "s3rver"), [BUCKET], root);
  try {
    await ensureObject(server.endpoint, key, log);
    await ensureObject(server.endpoint, textKey, textLog);
    const proxy = await FaultProxy.start(server.port, { delayMs: ROUND_TRIP_MS / 2 });
    try {
      for (const [k, path] of [[textKey, textLog], [key, log]] as const) {
        await firstFrame(`s3://${BUCKET}/${k}`, proxy.endpoint, rounds, statSync(path).size);
      }
    } finally {
      await proxy.close();
    }
    if (args.includes("--first-frame-only")) return;
    // The same replay of the same bytes from a local file, in the same run: what S3 adds.
    const url = `s3://${BUCKET}/${key}`;
    const size = statSync(log).size;
    // Peak RSS depends on when the collectors run: each case runs `rounds` times, the goal
    // holds for the highest.
    const peaks = async (from: string, pace: readonly string[]) => {
      const runs: RssFigures[] = [];
      for (let round = 0; round < rounds; round++) {
        runs.push(await cliPeakRss(from, server.endpoint, pace));
      }
      return runs;
    };
    reportRss("from S3 at --rate 0", await peaks(url, UNPACED), size);
    reportRss("from a local file at --rate 0", await peaks(log, UNPACED), size);
    // Paced, as a rig replays: the read worker parses ahead of the pacer.
    const paced = `at --rate ${PACED[1]} for the first ${PACED[3]} s of the log`;
    reportRss(`from S3 ${paced}`, await peaks(url, PACED));
    reportRss(`from a local file ${paced}`, await peaks(log, PACED));
  } finally {
    server.child.kill();
  }
}

async function firstFrame(url: string, endpoint: string, rounds: number, bytes: number) {
  const inProcess: number[] = [];
  const fromStart: number[] = [];
  const cli: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const child = await firstFrameInChild(url, endpoint);
    inProcess.push(child.openMs);
    fromStart.push(child.processMs);
    cli.push(await cliFirstLine(url, endpoint));
  }
  reportFirstFrame(url, bytes, { inProcess, fromStart, cli });
}

function option(args: readonly string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function clientOptions(endpoint: string): S3ClientOptions {
  return {
    endpoint, region: "us-east-1", forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  };
}

function awsEnv(endpoint: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER",
  };
}

const START_NS = 1_700_000_000n * 1_000_000_000n;
/** Size of the candump log used for the time to first frame of a text log. */
const CANDUMP_MB = 64;

/** Classic CAN frames on two buses, 100 µs apart. */
function benchFrames(): { frames: CanFrame[]; data: Uint8Array } {
  const data = new Uint8Array(8);
  const frames = [makeFrame(0x100, data, { channel: "can0" }), makeFrame(0x18fef100, data,
    { channel: "can1" })];
  return { frames, data };
}

/** An MF4 log of about `bytes`, written once and reused. */
function ensureMdf4Log(path: string, bytes: number): string {
  if (existsSync(path)) return path;
  const started = performance.now();
  const partial = `${path}.partial`;
  const writer = Mdf4Writer.create(partial, { startNs: START_NS });
  const { frames, data } = benchFrames();
  // 80-byte records (64-byte DataBytes): the count that fills `bytes`.
  const count = Math.floor(bytes / 80);
  for (let i = 0; i < count; i++) {
    data[0] = i & 0xff;
    writer.write(frames[i & 1] as CanFrame, i * 100_000);
  }
  writer.close();
  renameSync(partial, path);
  wrote(path, count, started);
  return path;
}

/** The same frames as a candump log of about `bytes`. */
async function ensureCandumpLog(path: string, bytes: number): Promise<string> {
  if (existsSync(path)) return path;
  const started = performance.now();
  const partial = `${path}.partial`;
  const writer = CandumpWriter.toPath(partial);
  const { frames, data } = benchFrames();
  let count = 0;
  // "(1700000000.000100) can0 100#0000000000000000\n" is 46 characters, the 29-bit ID's 51.
  for (let written = 0; written < bytes; count++) {
    data[0] = count & 0xff;
    const frame = frames[count & 1] as CanFrame;
    written += frame.extended ? 51 : 46;
    if (!writer.write(frame, START_NS + BigInt(count) * 100_000n)) await writer.drain();
  }
  await writer.close();
  renameSync(partial, path);
  wrote(path, count, started);
  return path;
}

function wrote(path: string, frames: number, started: number): void {
  const s = (performance.now() - started) / 1000;
  process.stderr.write(`s3-replay: wrote ${frames} frames (${mib(statSync(path).size)}) in ${s.toFixed(1)} s\n`);
}

async function ensureObject(endpoint: string, key: string, path: string): Promise<void> {
  // s3rver stores aws-chunked framing verbatim: upload without the SDK's streaming checksum.
  const client = new S3Client({ ...clientOptions(endpoint), requestChecksumCalculation: "WHEN_REQUIRED" });
  try {
    const size = statSync(path).size;
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))
      .catch(() => undefined);
    if (head?.ContentLength === size) return;
    const started = performance.now();
    const put = { Bucket: BUCKET, Key: key, Body: createReadStream(path), ContentLength: size };
    await client.send(new PutObjectCommand(put));
    const s = (performance.now() - started) / 1000;
    process.stderr.write(`s3-replay: uploaded ${mib(size)} in ${s.toFixed(1)} s\n`);
  } finally {
    client.destroy();
  }
}

/** Runs the in-process measure in a fresh process: no warm connection, no cached modules. */
function firstFrameInChild(url: string, endpoint: string): Promise<FirstFrameFigures> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [thisFile, "--first-frame", url, endpoint],
      { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) =>
      (code === 0 ? ok(JSON.parse(out) as FirstFrameFigures) : fail(new Error(`exit ${code}`))));
  });
}

/** Stops the replay at its first frame and says when that was, ms after openLog began. */
class FirstFrameOutput implements ReplayOutput {
  readonly target = "first-frame";
  atMs: number | undefined;
  replay: Replay | undefined;

  send(_frame: CanFrame): void {
    this.atMs ??= performance.now();
    this.replay?.stop();
  }
  flush(): void {}
  stats(): OutputStats {
    return { target: this.target, frames: this.atMs === undefined ? 0 : 1 };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * `openMs` from openLog to the first frame; `processMs` from the process's start (its imports
 * included, as the bench's are small beside the SDK and the readers) to the first frame.
 */
interface FirstFrameFigures {
  openMs: number;
  processMs: number;
}

async function measureFirstFrame(url: string, endpoint: string): Promise<FirstFrameFigures> {
  const started = performance.now();
  const reader = await openLog(url, { s3: { clientOptions: clientOptions(endpoint) } });
  const output = new FirstFrameOutput();
  const replay = new Replay({ sources: [{ reader }], outputs: [output] });
  output.replay = replay;
  await replay.run();
  await reader.close();
  // performance.now() counts from the process's start (its time origin).
  return { openMs: (output.atMs ?? NaN) - started, processMs: output.atMs ?? NaN };
}

/** Spawn to the first candump line on stdout: what a user waits for. */
function cliFirstLine(url: string, endpoint: string): Promise<number> {
  return new Promise((ok, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(root, "bin", "roadrig.js"), "replay", url,
      "--to", "candump:-", "--duration", "1"], { env: awsEnv(endpoint), stdio: ["ignore", "pipe", "pipe"] });
    let firstMs: number | undefined;
    let stderr = "";
    child.stdout.once("data", () => {
      firstMs = performance.now() - started;
      child.kill();
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", () => (firstMs === undefined ? fail(new Error(stderr)) : ok(firstMs)));
  });
}

interface RssFigures {
  peakMb: number;
  seconds: number;
  frames: number;
}

const UNPACED = ["--rate", "0"] as const;
/** 200 s of the log at 20 times its pace: 10 s, the read worker a run this fast would use. */
const PACED = ["--rate", "20", "--duration", "200"] as const;

/** A replay to a virtual bus at `pace`, peak RSS from /proc (VmHWM) while it runs. */
function cliPeakRss(url: string, endpoint: string, pace: readonly string[]): Promise<RssFigures> {
  return new Promise((ok, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(root, "bin", "roadrig.js"), "replay", url,
      "--to", "virtual:null", ...pace, "--json"], {
      env: awsEnv(endpoint), stdio: ["ignore", "pipe", "pipe"],
    });
    let peakKb = 0;
    const sample = setInterval(() => {
      peakKb = Math.max(peakKb, statusKb(child.pid, "VmHWM"));
    }, 50);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => {
      clearInterval(sample);
      if (code !== 0) return fail(new Error(`replay exited ${code}: ${stderr}`));
      const summary = JSON.parse(stdout) as { frames: number };
      const seconds = (performance.now() - started) / 1000;
      ok({ peakMb: peakKb / 1024, seconds, frames: summary.frames });
    });
  });
}

function statusKb(pid: number | undefined, field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function reportFirstFrame(
  url: string,
  bytes: number,
  ms: { inProcess: number[]; fromStart: number[]; cli: number[] },
): void {
  const fmt = (ms: number[]) => {
    const sorted = [...ms].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
    return `median ${median.toFixed(0)} ms (${sorted.map((m) => m.toFixed(0)).join(", ")})`;
  };
  process.stdout.write(
    `s3-replay first frame of ${url} (${mib(bytes)}) at ${ROUND_TRIP_MS} ms round trip: ` +
      `library, open to first frame ${fmt(ms.inProcess)}; library from process start ` +
      `${fmt(ms.fromStart)}; whole CLI from spawn to first candump line ${fmt(ms.cli)}; ` +
      `goal <= ${GOAL.firstFrameMs} ms\n`,
  );
}

/**
 * The highest peak RSS of the runs, then each run's; the median run's time and rates. `bytes`:
 * the whole object was replayed, and its rate is printed too.
 */
function reportRss(where: string, runs: RssFigures[], bytes?: number): void {
  const peaks = runs.map((r) => r.peakMb);
  const bySeconds = [...runs].sort((a, b) => a.seconds - b.seconds);
  const f = bySeconds[Math.floor(bySeconds.length / 2)] as RssFigures;
  const rate = bytes === undefined ? "" : `${(bytes / f.seconds / 1e6).toFixed(0)} MB/s, `;
  process.stdout.write(
    `s3-replay ${where}: peak RSS ${Math.max(...peaks).toFixed(0)} MB at most over ` +
      `${runs.length} runs (${peaks.map((p) => p.toFixed(0)).join(", ")}; goal < ${GOAL.rssMb}); ` +
      `median run ${f.frames} frames in ${f.seconds.toFixed(1)} s, ` +
      `${rate}${(f.frames / f.seconds / 1e6).toFixed(2)} M frames/s\n`,
  );
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

if (process.argv[1] === thisFile && process.argv[2] === "--first-frame") {
  const [url, endpoint] = process.argv.slice(3);
  measureFirstFrame(url ?? "", endpoint ?? "").then(
    (figures) => process.stdout.write(JSON.stringify(figures)),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
