import {
  GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";
import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { tuneV8 } from "../cli/tuneV8.js";
import type { ByteSource } from "../replay/sources/ByteSource.js";
import { CachedS3Source } from "../replay/sources/CachedS3Source.js";
import { createS3Client, type S3ClientOptions } from "../replay/sources/createS3Client.js";
import { NasCache } from "../replay/sources/NasCache.js";
import { S3Source } from "../replay/sources/S3Source.js";
import { FaultProxy } from "./support/FaultProxy.js";
import { startS3rverProcess } from "./support/s3rverProcess.js";

/** Goals from the issue. */
const GOAL = { ratio: 0.9, rssMb: 200 } as const;
const DEFAULT_MB = 1024;
const READ_BYTES = 1024 * 1024;
const BUCKET = "bench";
const PHASES = ["plain", "s3-source", "cache-cold", "cache-warm"] as const;
type Phase = (typeof PHASES)[number];

const thisFile = fileURLToPath(import.meta.url);
const root = resolve(dirname(thisFile), "..", "..");
const scratch = process.env.ROADRIG_BENCH_DIR ?? join(root, ".bench-out");

/** Tuning passed to each phase: `--chunk-mb`, `--window-mb`, `--span-mb`, `--verify-md5=false`. */
interface Tuning {
  chunkBytes?: number;
  spanBytes?: number;
  readAheadBytes?: number;
  verifyMd5?: boolean;
}

interface Figures {
  bytes: number;
  seconds: number;
  /** CPU (user + sys) of the phase's process, worker threads included, over the phase. */
  cpuSeconds: number;
  /** CPU of the s3rver process over the same phase: the server's share of the work. */
  serverCpuSeconds: number;
  maxRssMb: number;
  detail: string;
}

/**
 * `s3-throughput [--mb=N] [--rounds=N] [--chunk-mb=N] [--window-mb=N] [--span-mb=N]
 * [--link-mbit=N] [--rtt-ms=N]`: one object from s3rver (its own process, on loopback) read
 * as a plain GetObject to nowhere, through S3Source, and through the NAS cache cold and warm,
 * each in a fresh process so that its peak RSS is its own. `--link-mbit` and `--rtt-ms` put
 * every phase behind one link of that bandwidth (shared by all connections) and round trip, as
 * a rig's uplink would be; `--span-mb` sets the S3 source's longest GET. Without a link the
 * phases run as fast as the two processes' CPU allows.
 */
export async function main(args: readonly string[]): Promise<void> {
  const mb = Number(option(args, "mb") ?? DEFAULT_MB);
  const tuning = tuningOf(args);
  const server = await startS3rverProcess(join(scratch, "s3rver"), [BUCKET], root);
  const link = await startLink(args, server.endpoint);
  try {
    const key = `object-${mb}mb.bin`;
    await ensureObject(server.endpoint, key, mb * 1024 * 1024);
    const endpoint = link?.endpoint ?? server.endpoint;
    const cacheDir = join(scratch, "s3-cache");
    // Rounds interleave the phases; the best of each is kept, as other load on the machine only
    // ever slows a phase down.
    const rounds = Number(option(args, "rounds") ?? 2);
    const results = new Map<Phase, Figures>();
    for (let round = 0; round < rounds; round++) {
      rmSync(cacheDir, { recursive: true, force: true });
      for (const phase of PHASES) {
        const serverBefore = processCpuSeconds(server.child.pid);
        const f = await runInChild(phase, endpoint, key, cacheDir, tuning);
        f.serverCpuSeconds = processCpuSeconds(server.child.pid) - serverBefore;
        const best = results.get(phase);
        if (best === undefined || f.seconds < best.seconds) results.set(phase, f);
      }
    }
    report(`--mb=${mb}${link === undefined ? "" : `, ${link.label}`}`, rounds, results);
  } finally {
    await link?.proxy.close();
    server.child.kill();
  }
}

/** The link every phase goes through, when `--link-mbit` or `--rtt-ms` asks for one. */
async function startLink(
  args: readonly string[], target: string,
): Promise<{ proxy: FaultProxy; endpoint: string; label: string } | undefined> {
  const mbit = option(args, "link-mbit");
  const rtt = option(args, "rtt-ms");
  if (mbit === undefined && rtt === undefined) return undefined;
  const bytesPerSecond = mbit === undefined ? Infinity : (Number(mbit) * 1e6) / 8;
  const delayMs = Number(rtt ?? 0) / 2;
  const proxy = await FaultProxy.start(Number(new URL(target).port),
    { delayMs, bytesPerSecond, sharedLink: true });
  const label = `through a ${mbit ?? "uncapped"} Mbit/s link at ${rtt ?? 0} ms RTT`;
  return { proxy, endpoint: proxy.endpoint, label };
}

function tuningOf(args: readonly string[]): Tuning {
  const chunk = option(args, "chunk-mb");
  const window = option(args, "window-mb");
  const span = option(args, "span-mb");
  return {
    ...(span === undefined ? {} : { spanBytes: Number(span) * 2 ** 20 }),
    ...(chunk === undefined ? {} : { chunkBytes: Number(chunk) * 2 ** 20 }),
    ...(window === undefined ? {} : { readAheadBytes: Number(window) * 2 ** 20 }),
    ...(option(args, "verify-md5") === "false" ? { verifyMd5: false } : {}),
  };
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

/** Uploads `size` bytes of varied content once; later runs reuse it. */
async function ensureObject(endpoint: string, key: string, size: number): Promise<void> {
  // s3rver stores aws-chunked framing verbatim: upload without the SDK's streaming checksum.
  const client = new S3Client({ ...clientOptions(endpoint), requestChecksumCalculation: "WHEN_REQUIRED" });
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))
      .catch(() => undefined);
    if (head?.ContentLength === size) return;
    const block = new Uint8Array(1024 * 1024);
    let sent = 0;
    const body = Readable.from((function* () {
      while (sent < size) {
        const n = Math.min(block.length, size - sent);
        block[0] = sent / block.length;
        sent += n;
        yield Buffer.from(block.subarray(0, n));
      }
    })());
    const started = performance.now();
    const put = { Bucket: BUCKET, Key: key, Body: body, ContentLength: size };
    await client.send(new PutObjectCommand(put));
    const s = (performance.now() - started) / 1000;
    process.stderr.write(`s3-throughput: uploaded ${size / 2 ** 20} MiB in ${s.toFixed(1)} s\n`);
  } finally {
    client.destroy();
  }
}

async function runInChild(
  phase: Phase, endpoint: string, key: string, cacheDir: string, tuning: Tuning,
): Promise<Figures> {
  const args = [thisFile, "--phase", phase, endpoint, key, cacheDir, JSON.stringify(tuning)];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Figures;
}

async function runPhase(
  phase: Phase, endpoint: string, key: string, cacheDir: string, tuning: Tuning,
): Promise<Figures> {
  const url = `s3://${BUCKET}/${key}`;
  const { verifyMd5, ...reading } = tuning;
  const options = { clientOptions: clientOptions(endpoint), ...reading };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let bytes: number;
  let detail = "";
  if (phase === "plain") {
    bytes = await plainGet(endpoint, key);
  } else if (phase === "s3-source") {
    const source = await S3Source.open(url, options);
    bytes = await readAll(source);
    const s = source.stats;
    detail = `${s.requests} GETs, ${s.retries} retries, ${s.underruns} underruns ` +
      `(${s.underrunWaitMs.toFixed(0)} ms waiting)`;
  } else {
    const cache = new NasCache({ dir: cacheDir, ...(verifyMd5 === false ? { verifyMd5 } : {}) });
    const source = await CachedS3Source.open(url, { ...options, cache });
    bytes = await readAll(source);
    const s = source.stats;
    detail = `${(s.bytesFromCache / 2 ** 20).toFixed(0)} MiB from cache, ` +
      `${(s.bytesFromS3 / 2 ** 20).toFixed(0)} MiB from S3, ${s.s3.requests} requests` +
      (s.cacheDisabled ? `, cache given up: ${s.cacheDisabled}` : "");
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  return { bytes, seconds, cpuSeconds, serverCpuSeconds: NaN, maxRssMb, detail };
}

async function plainGet(endpoint: string, key: string): Promise<number> {
  const client = createS3Client(clientOptions(endpoint));
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    let bytes = 0;
    for await (const chunk of out.Body as AsyncIterable<Uint8Array>) bytes += chunk.length;
    return bytes;
  } finally {
    client.destroy();
  }
}

/** Sequential 1 MiB reads, as a log reader streams a log; close() is part of the cost. */
async function readAll(source: ByteSource): Promise<number> {
  const size = await source.size();
  let bytes = 0;
  for (let pos = 0; pos < size; pos += READ_BYTES) {
    bytes += (await source.read(pos, READ_BYTES)).length;
  }
  await source.close();
  return bytes;
}

/**
 * User + sys CPU seconds of a process so far, from /proc/<pid>/stat (Linux; NaN elsewhere).
 * Fields 14 and 15 count clock ticks of USER_HZ, which is 100 on Linux.
 */
function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; fields are counted after its ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function report(setting: string, rounds: number, results: Map<Phase, Figures>): void {
  const plain = results.get("plain");
  const plainRate = plain === undefined ? NaN : plain.bytes / plain.seconds;
  const cores = availableParallelism();
  for (const [phase, f] of results) {
    const rate = f.bytes / f.seconds;
    const gb = f.bytes / 1e9;
    // Client and s3rver share this machine's cores: no phase can go faster than they allow.
    const ceiling = (cores * gb) / (f.cpuSeconds + f.serverCpuSeconds);
    const cpu = `CPU ${(f.cpuSeconds / gb).toFixed(2)} s/GB client, ` +
      `${(f.serverCpuSeconds / gb).toFixed(2)} s/GB s3rver, so at most ` +
      `${(ceiling * 1e3).toFixed(0)} MB/s on ${cores} cores`;
    const ratio = phase === "plain" ? "" : `, ${((100 * rate) / plainRate).toFixed(0)} % of plain ` +
      `(goal >= ${GOAL.ratio * 100} %)`;
    process.stdout.write(
      `s3-throughput ${phase}: ${(f.bytes / 2 ** 20).toFixed(0)} MiB (${setting}, best of ` +
        `${rounds}) in ` +
        `${f.seconds.toFixed(2)} s: ${(rate / 1e6).toFixed(0)} MB/s${ratio}; ${cpu}; ` +
        `peak RSS ${f.maxRssMb.toFixed(0)} MB (goal < ${GOAL.rssMb})` +
        (f.detail === "" ? "" : `; ${f.detail}`) + "\n",
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href && process.argv[2] === "--phase") {
  const [phase, endpoint, key, cacheDir, tuning] = process.argv.slice(3);
  // As a replay sets before it plays (cli/tuneV8.ts).
  tuneV8();
  const parsed = JSON.parse(tuning ?? "{}") as Tuning;
  runPhase(phase as Phase, endpoint ?? "", key ?? "", cacheDir ?? "", parsed).then(
    (figures) => process.stdout.write(JSON.stringify(figures)),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
