/**
 * Pacing bench: a 10,000 frames/s candump log replayed by roadrig's pacer to a null output,
 * then by python-can's MessageSync (Debian's python3-can) on the same file. Both measure
 * lateness the same way: monotonic hand-over time minus the ideal deadline (schedule start
 * plus the frame's recorded distance from the first frame), the schedule start being the
 * latest one that no frame precedes, so no frame counts as early. The log is also written as
 * an MDF4 file with deflated DZ blocks; each file is replayed with its reader in the replay's
 * thread and in a read worker. Last, the candump file at --rate 0 both ways (throughput).
 * Options: --seconds=20 --hz=10000.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CanFrame } from "../drivers/can/CanFrame.js";
import type { LogReader } from "../replay/formats/LogReader.js";
import type { LogRecord } from "../replay/formats/LogRecord.js";
import { canFrame } from "../replay/formats/candump/canFrame.js";
import { Mdf4Writer } from "../replay/formats/mdf4/Mdf4Writer.js";
import { openLog } from "../replay/formats/openLog.js";
import type { OutputStats, ReplayOutput } from "../replay/outputs/ReplayOutput.js";
import { LatencyHistogram, type LatencySummary } from "../replay/pacing/LatencyHistogram.js";
import { Replay } from "../replay/Replay.js";
import { WorkerLogReader } from "../replay/worker/WorkerLogReader.js";

type Figures = LatencySummary;

const GOAL_P99_NS = 100_000;
const GOAL_P999_NS = 500_000;
const START_S = 1_700_000_000;

export async function main(args: readonly string[]): Promise<void> {
  const seconds = option(args, "seconds", 20);
  const hz = option(args, "hz", 10_000);
  const dir = mkdtempSync(join(tmpdir(), "roadrig-bench-pacing-"));
  try {
    const log = join(dir, "pacing.log");
    writeFileSync(log, candumpLog(seconds * hz, hz));
    const mf4 = join(dir, "pacing.mf4");
    writeMdf4(mf4, seconds * hz, hz);
    process.stdout.write(`pacing: ${seconds * hz} frames at ${hz}/s (${seconds} s), each side alone\n`);
    // A warm-up pass at full speed compiles the replay's hot path before anything is timed.
    // The same records serve both passes: a second copy would leave the first as garbage for a
    // major collection in the middle of the timed pass.
    const memory = await memoryReader(log);
    const warmUp = { sources: [{ reader: memory }], outputs: [new MeasuringOutput()] };
    await new Replay({ ...warmUp, rate: 0 }).run();
    const inMemory = await roadrigFigures(memory);
    const rows: [string, Figures][] = [["roadrig, frames in memory", inMemory]];
    rows.push(["roadrig, from the candump file", await roadrigFigures(await openLog(log))]);
    rows.push(["  candump, read in a worker", await roadrigFigures(await WorkerLogReader.open(log))]);
    rows.push(["roadrig, from the MF4 file (DZ)", await roadrigFigures(await openLog(mf4))]);
    rows.push(["  MF4, read in a worker", await roadrigFigures(await WorkerLogReader.open(mf4))]);
    const python = pythonFigures(log);
    printTable(rows, python);
    await printThroughput(log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Evenly spaced frames; the spacing in µs must divide the second for candump's 6 decimals. */
function candumpLog(frames: number, hz: number): string {
  const stepUs = Math.round(1e6 / hz);
  const lines: string[] = [];
  for (let i = 0; i < frames; i++) {
    const us = i * stepUs;
    const sec = START_S + Math.floor(us / 1e6);
    const frac = String(us % 1e6).padStart(6, "0");
    const id = (0x100 + (i % 16)).toString(16).toUpperCase();
    lines.push(`(${sec}.${frac}) can0 ${id}#${(i & 0xff).toString(16).padStart(2, "0").toUpperCase()}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The candump log's frames as a finalized MDF4 bus log with deflated data blocks. */
function writeMdf4(path: string, frames: number, hz: number): void {
  const stepNs = Math.round(1e9 / hz);
  const writer = Mdf4Writer.create(path, {
    startNs: BigInt(START_S) * 1_000_000_000n, compression: "deflate", dataBytes: 8,
  });
  for (let i = 0; i < frames; i++) {
    const data = Uint8Array.of(i & 0xff);
    const frame = canFrame(0x100 + (i % 16), false, false, false, false, false, false, 1, data,
      "can0");
    writer.write(frame, i * stepNs);
  }
  writer.close();
}

/** Frames per second at --rate 0 to the null output: in the replay's thread, then a worker. */
async function printThroughput(log: string): Promise<void> {
  const rate = async (reader: LogReader) => {
    const output = new MeasuringOutput();
    const began = process.hrtime.bigint();
    try {
      await new Replay({ sources: [{ reader }], outputs: [output], rate: 0 }).run();
    } finally {
      await reader.close();
    }
    return output.stats().frames / (Number(process.hrtime.bigint() - began) / 1e9);
  };
  const inThread = await rate(await openLog(log));
  const inWorker = await rate(await WorkerLogReader.open(log));
  const k = (fps: number) => `${Math.round(fps / 1000)}k frames/s`;
  process.stdout.write(`--rate 0, candump file: in the replay's thread ${k(inThread)}, ` +
    `read in a worker ${k(inWorker)}\n`);
}

/**
 * Measures hand-over times itself rather than trusting the pacer's own histogram. The ideal
 * schedule starts at the latest time no frame precedes: anchoring on the first frame alone
 * would let one slow first hand-over make every later frame look early.
 */
class MeasuringOutput implements ReplayOutput {
  readonly target = "null";
  private readonly base = process.hrtime.bigint();
  private starts = new Float64Array(1 << 16);
  private count = 0;
  private firstRecorded: bigint | undefined;

  send(_frame: CanFrame, recordedNs: bigint): void {
    const now = process.hrtime.bigint();
    this.firstRecorded ??= recordedNs;
    if (this.count === this.starts.length) {
      const grown = new Float64Array(this.starts.length * 2);
      grown.set(this.starts);
      this.starts = grown;
    }
    // The schedule start this frame implies: hand-over minus its distance from the first frame.
    this.starts[this.count++] = Number(now - this.base - (recordedNs - this.firstRecorded));
  }

  figures(): Figures {
    const starts = this.starts.subarray(0, this.count);
    const anchor = starts.reduce((a, b) => Math.min(a, b), Infinity);
    const histogram = new LatencyHistogram();
    for (const start of starts) histogram.record(start - anchor);
    return histogram.summary();
  }

  flush(): void {}

  stats(): OutputStats {
    return { target: this.target, frames: this.count };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The log's records read beforehand and handed out in small batches: the pacer's own figures,
 * without the reader's parsing in the replay's thread.
 */
async function memoryReader(log: string): Promise<LogReader> {
  const file = await openLog(log);
  const records: LogRecord[] = [];
  for await (const batch of file.batches()) records.push(...batch);
  await file.close();
  return {
    name: `${log} (in memory)`,
    startNs: file.startNs,
    describe: () => file.describe(),
    batches: async function* () {
      for (let i = 0; i < records.length; i += 256) yield records.slice(i, i + 256);
      await Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

async function roadrigFigures(reader: LogReader): Promise<Figures> {
  const output = new MeasuringOutput();
  try {
    await new Replay({ sources: [{ reader }], outputs: [output], rate: 1 }).run();
  } finally {
    await reader.close();
  }
  return output.figures();
}

function pythonFigures(log: string): Figures | string {
  const script = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "bench", "pythonCanMessageSync.py");
  const result = spawnSync("/usr/bin/python3", [script, log], { encoding: "utf8" });
  if (result.status !== 0) {
    return `python-can MessageSync did not run (install python3-can): ${result.stderr.trim()}`;
  }
  return JSON.parse(result.stdout) as Figures;
}

function printTable(roadrig: [string, Figures][], python: Figures | string): void {
  const us = (ns: number) => `${(ns / 1000).toFixed(1)} µs`.padStart(12);
  const row = (name: string, f: Figures) =>
    `${name.padEnd(34)}${us(f.p50)}${us(f.p99)}${us(f.p999)}${us(f.max)}\n`;
  process.stdout.write(
    `${"lateness".padEnd(34)}${"p50".padStart(12)}${"p99".padStart(12)}${"p999".padStart(12)}` +
      `${"max".padStart(12)}\n`,
  );
  for (const [name, figures] of roadrig) process.stdout.write(row(name, figures));
  if (typeof python === "string") process.stdout.write(`${python}\n`);
  else process.stdout.write(row("python-can MessageSync", python));
  process.stdout.write(`goals: p99 <= ${GOAL_P99_NS / 1000} µs, p999 <= ${GOAL_P999_NS / 1000} µs\n`);
  for (const [name, f] of roadrig) {
    const meets = f.p99 <= GOAL_P99_NS && f.p999 <= GOAL_P999_NS;
    process.stdout.write(`  ${name.trim()}: ${meets ? "meets" : "misses"} them\n`);
  }
}

function option(args: readonly string[], name: string, fallback: number): number {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`--${name}: expected a number > 0`);
  return value;
}
