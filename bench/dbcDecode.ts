import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CanFrame } from "../drivers/can/CanFrame.js";
import { makeFrame } from "../drivers/can/CanFrame.js";
import { parseDbc, type Dbc } from "../drivers/dbc/index.js";

/** The throughput the agent's telemetry pipeline needs from DBC decode and filtering. */
export const GOAL_FRAMES_PER_SECOND = 1_000_000;

export interface DbcDecodeResult {
  dbc: string;
  ids: number;
  frames: number;
  /** Mean signals decoded per frame. */
  signalsPerFrame: number;
  seconds: number;
  framesPerSecond: number;
  /** Frames per second of CPU time the process got: the figure when other work shares the core. */
  framesPerCpuSecond: number;
  goal: number;
  /** Frames the filter kept, so the work cannot be optimised away. */
  kept: number;
}

/** Small deterministic PRNG (mulberry32), so every run decodes the same frames. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Synthetic traffic: the 50 classic messages with the most signals (the heaviest to decode),
 * interleaved, each payload of seeded random bytes so every signal takes varied values.
 */
function trafficFor(dbc: Dbc, count: number): CanFrame[] {
  const next = random(42);
  const messages = [...dbc.messages]
    .filter((m) => !m.multiplexed && m.signals.every((s) => s.fitsMessage) && m.length <= 8)
    .sort((a, b) => b.signals.length - a.signals.length)
    .slice(0, 50);
  const frames: CanFrame[] = [];
  for (let i = 0; i < count; i++) {
    const message = messages[i % messages.length];
    if (message === undefined) break;
    const data = new Uint8Array(message.length);
    for (let b = 0; b < data.length; b++) data[b] = Math.floor(next() * 256);
    frames.push(makeFrame(message.id, data, { extended: message.extended }));
  }
  return frames;
}

/** Decodes into one reused array and keeps frames whose first signal is above zero. */
function decodeAndFilter(dbc: Dbc, frames: readonly CanFrame[], out: Float64Array): number {
  let kept = 0;
  for (let i = 0; i < frames.length; i++) {
    const message = dbc.decodeInto(frames[i] as CanFrame, out);
    if (message !== undefined && (out[0] as number) > 0) kept++;
  }
  return kept;
}

export function runDbcDecodeBench(
  dbcPath: string,
  options: { seconds?: number; frames?: number } = {},
): DbcDecodeResult {
  const dbc = parseDbc(readFileSync(dbcPath), { file: dbcPath, strict: false });
  const frames = trafficFor(dbc, options.frames ?? 100_000);
  const out = new Float64Array(dbc.maxSignals);
  let kept = decodeAndFilter(dbc, frames, out); // warm-up: let the JIT settle
  const budgetNs = BigInt(Math.round((options.seconds ?? 2) * 1e9));
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let decoded = 0;
  while (process.hrtime.bigint() - start < budgetNs) {
    kept += decodeAndFilter(dbc, frames, out);
    decoded += frames.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    dbc: dbcPath,
    ids: new Set(frames.map((f) => f.id)).size,
    frames: decoded,
    signalsPerFrame:
      frames.reduce((n, f) => n + (dbc.messageById(f.id, f.extended)?.signals.length ?? 0), 0) /
      frames.length,
    seconds,
    framesPerSecond: decoded / seconds,
    framesPerCpuSecond: decoded / cpuSeconds,
    goal: GOAL_FRAMES_PER_SECOND,
    kept,
  };
}

const thisFile = fileURLToPath(import.meta.url);
// dist/bench/dbcDecode.js → the checkout's root; the shared data sits beside the checkout.
const sharedDir = process.env.ROADRIG_SHARED ?? resolve(dirname(thisFile), "..", "..", "..", "shared");

/**
 * `dbc-decode [--dbc=PATH] [--seconds=N]`, for the bench runner and for
 * `node dist/bench/dbcDecode.js`. Options of other benches are ignored.
 */
export function main(args: readonly string[] = process.argv.slice(2)): DbcDecodeResult {
  const option = (name: string) =>
    args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const path = option("dbc") ?? join(sharedDir, "data", "dbc", "opendbc__vw_mqb.dbc");
  const result = runDbcDecodeBench(path, { seconds: Number(option("seconds") ?? 2) });
  const rate = (n: number) => Math.round(n).toLocaleString("en");
  const verdict = result.framesPerCpuSecond >= result.goal ? "meets" : "misses";
  process.stdout.write(
    `dbc decode+filter: ${rate(result.framesPerSecond)} frames/s wall, ` +
      `${rate(result.framesPerCpuSecond)} frames per CPU second on one core ` +
      `(${result.ids} ids, ${result.signalsPerFrame.toFixed(1)} signals/frame, ` +
      `${result.frames} frames): ${verdict} the goal of ${rate(result.goal)}\n`,
  );
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
