import { execFile } from "node:child_process";
import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { openMdf4 } from "../replay/formats/mdf4/Mdf4Reader.js";
import { Mdf4Writer, type Mdf4Compression } from "../replay/formats/mdf4/Mdf4Writer.js";
import { sampleDriveFrames, type SampleDriveFrame } from "../replay/sample/sampleDriveFrames.js";
import { FileSource } from "../replay/sources/FileSource.js";

/** Goals from the issue, for a log of at least 500 MB. */
const GOAL = { dt: 3.8e6, dz: 2.3e6, rssMb: 150 } as const;
const DEFAULT_MB = 512;
const RECORD_BYTES = 80;
const VARIANTS: Record<string, Mdf4Compression> = { dt: "none", dz: "transposed-deflate" };

const thisFile = fileURLToPath(import.meta.url);
// dist/bench/mdf4Read.js → the checkout's root, where .bench-out/ is ignored by git.
const scratch =
  process.env.ROADRIG_BENCH_DIR ?? resolve(dirname(thisFile), "..", "..", ".bench-out");

interface ReadFigures {
  frames: number;
  seconds: number;
  cpuSeconds: number;
  maxRssMb: number;
  sampledRssMb: number;
  checksum: number;
}

/** `mdf4-read [--mb=N] [--variant=dt|dz]`: writes the logs once, then reads each in a child. */
export async function main(args: readonly string[]): Promise<void> {
  const mb = Number(option(args, "mb") ?? DEFAULT_MB);
  const only = option(args, "variant");
  mkdirSync(scratch, { recursive: true });
  for (const [variant, compression] of Object.entries(VARIANTS)) {
    if (only !== undefined && only !== variant) continue;
    const path = ensureLog(mb, variant, compression);
    const figures = await readInChild(path);
    report(variant, path, mb, figures);
  }
}

function option(args: readonly string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** The cached log, written with the MDF4 writer when missing (to a temp name, then renamed). */
function ensureLog(mb: number, variant: string, compression: Mdf4Compression): string {
  const path = join(scratch, `can-${mb}mb-${variant}.mf4`);
  if (existsSync(path)) return path;
  const started = process.hrtime.bigint();
  const temp = `${path}.partial`;
  const writer = Mdf4Writer.create(temp, { startNs: 1_717_228_800_000_000_000n, compression });
  const frames = Math.ceil((mb * 1024 * 1024) / RECORD_BYTES);
  // The first minute of the sample drive, repeated: real message mix, cheap to produce.
  const minute = [...sampleDriveFrames({ durationS: 60 })];
  for (let i = 0; i < frames; i++) {
    const { frame, timeNs } = minute[i % minute.length] as SampleDriveFrame;
    writer.write(frame, Math.floor(i / minute.length) * 60e9 + timeNs);
  }
  writer.close();
  renameSync(temp, path);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rssMb = (process.resourceUsage().maxRSS / 1024).toFixed(0);
  process.stderr.write(
    `mdf4-read: wrote ${path} (${frames} frames) in ${seconds.toFixed(1)} s ` +
      `(${(frames / seconds / 1e6).toFixed(2)} M frames/s, writer process peak RSS ${rssMb} MB)\n`,
  );
  return path;
}

/** A fresh process per read, so its peak RSS is the reader's own and not the writer's. */
async function readInChild(path: string): Promise<ReadFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, [thisFile, "--read", path], {
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout) as ReadFigures;
}

async function readLog(path: string): Promise<ReadFigures> {
  let sampledRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    sampledRss = Math.max(sampledRss, process.memoryUsage.rss());
  }, 20);
  const started = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const reader = await openMdf4(await FileSource.open(path));
  let frames = 0;
  let checksum = 0;
  try {
    for await (const batch of reader.batches()) {
      frames += batch.length;
      // Touch each record so that the work done is the work a consumer would see.
      for (const record of batch) {
        if (record.kind === "frame") checksum = (checksum + record.frame.id) | 0;
      }
    }
  } finally {
    await reader.close();
    clearInterval(sampler);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  // CPU time of every thread (zlib inflates on the thread pool): on a shared machine the
  // wall-clock rate moves with the load, the rate per CPU second much less.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  return { frames, seconds, cpuSeconds, maxRssMb, sampledRssMb: sampledRss / 2 ** 20, checksum };
}

function report(variant: string, path: string, mb: number, f: ReadFigures): void {
  const rate = f.frames / f.seconds;
  const goal = variant === "dz" ? GOAL.dz : GOAL.dt;
  const fileMb = statSync(path).size / 1e6;
  const recordMb = (f.frames * RECORD_BYTES) / 1e6;
  process.stdout.write(
    `mdf4-read ${variant}: ${f.frames} frames (${recordMb.toFixed(0)} MB records, ` +
      `${fileMb.toFixed(0)} MB file, --mb=${mb}) in ${f.seconds.toFixed(2)} s: ` +
      `${(rate / 1e6).toFixed(2)} M frames/s (goal >= ${goal / 1e6}), ` +
      `${(f.frames / f.cpuSeconds / 1e6).toFixed(2)} M frames per CPU second, ` +
      `${(recordMb / f.seconds).toFixed(0)} MB/s records, ` +
      `${(fileMb / f.seconds).toFixed(0)} MB/s file; peak RSS ${f.maxRssMb.toFixed(0)} MB ` +
      `(sampled ${f.sampledRssMb.toFixed(0)} MB; goal < ${GOAL.rssMb})\n`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href && process.argv[2] === "--read") {
  readLog(process.argv[3] ?? "").then(
    (figures) => process.stdout.write(JSON.stringify(figures)),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
