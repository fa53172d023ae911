/**
 * Telemetry decode + filter bench, on one core, for 50 IDs of a real DBC and three streams
 * (on-change, one-second windows of every signal, 10 Hz samples). Two figures: the stage the
 * goal names (DBC decode and the streams' filters, records handed to a counter), and the whole
 * per-frame path of the pipeline behind it (batching, encoding, gzip, spooling with fsync off,
 * a sink that acknowledges at once). Frame times advance as on a bus at 4,000 frames/s, so
 * windows and intervals close as they would. Options: --dbc=PATH --seconds=N.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TelemetryPipeline } from "../agent/telemetry/TelemetryPipeline.js";
import type { CanBus } from "../drivers/can/CanBus.js";
import type { CanFrame } from "../drivers/can/CanFrame.js";
import { parseDbc, type Dbc } from "../drivers/dbc/index.js";
import { BusLane } from "../agent/telemetry/BusLane.js";
import { StreamFilter } from "../agent/telemetry/StreamFilter.js";
import { benchStreams, DEFAULT_DBC, evolvingTraffic, NullSink } from "./telemetryTraffic.js";

export const GOAL_FRAMES_PER_SECOND = 1_000_000;

export interface TelemetryFilterResult {
  /** Decode and filter only. */
  filterFramesPerCpuSecond: number;
  frames: number;
  framesPerSecond: number;
  framesPerCpuSecond: number;
  records: number;
  batches: number;
}

const idleBus: CanBus = {
  name: "can0",
  send: () => undefined,
  onFrame: () => () => undefined,
  close: () => Promise.resolve(),
};

/** Decode and the three streams' filters, with nothing behind them: frames per CPU second. */
function filterOnly(dbc: Dbc, frames: readonly CanFrame[], seconds: number): number {
  let records = 0;
  const emit = () => {
    records++;
  };
  const filters = benchStreams(dbc, ["a", "b", "c"])
    .map((s) => ({ filter: new StreamFilter(s, dbc, "can0"), emit }));
  const lane = new BusLane("can0", dbc, filters);
  let t = 1.7e12;
  const play = () => {
    for (let i = 0; i < frames.length; i++) {
      t += 0.25;
      lane.frame(frames[i] as CanFrame, t);
    }
  };
  // A second of warm-up: the streams' closures reach their optimised tier before timing.
  const warm = performance.now();
  while (performance.now() - warm < 1000) play();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let played = 0;
  while (performance.now() - start < seconds * 1000) {
    play();
    played += frames.length;
  }
  const cpu = process.cpuUsage(cpuStart);
  if (records < 0) throw new Error("unreachable: keeps the records from being optimised away");
  return played / ((cpu.user + cpu.system) / 1e6);
}

export async function runTelemetryFilterBench(
  dbcPath: string,
  seconds: number,
): Promise<TelemetryFilterResult> {
  const dbc = parseDbc(readFileSync(dbcPath), { file: dbcPath, strict: false });
  const frames = evolvingTraffic(dbc, 200_000);
  const filterFramesPerCpuSecond = filterOnly(dbc, frames, seconds);
  const dir = mkdtempSync(join(tmpdir(), "roadrig-bench-telemetry-"));
  const sinks = [new NullSink("a"), new NullSink("b"), new NullSink("c")];
  const pipeline = new TelemetryPipeline({
    buses: idleBus,
    dbc,
    config: {
      streams: benchStreams(dbc, ["a", "b", "c"]),
      sinks: [],
      spool: { dir, fsync: "never" },
    },
    sinks,
    metricsIntervalMs: 0,
  });
  let batches = 0;
  pipeline.on("spooled", () => batches++);
  await pipeline.start();
  // 4,000 frames/s on the bus's clock: 250 µs apart.
  let t = process.hrtime.bigint();
  const play = () => {
    for (let i = 0; i < frames.length; i++) {
      pipeline.ingest(0, frames[i] as CanFrame, t);
      t += 250_000n;
    }
  };
  play(); // warm-up
  const budgetNs = BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let played = 0;
  while (process.hrtime.bigint() - start < budgetNs) {
    play();
    played += frames.length;
    // Let acknowledgements run, as the event loop would between bus reads.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const records = Object.values(pipeline.metrics().streams).reduce((n, s) => n + s.records, 0);
  await pipeline.stop(0);
  rmSync(dir, { recursive: true, force: true });
  return {
    filterFramesPerCpuSecond,
    frames: played,
    framesPerSecond: played / wall,
    framesPerCpuSecond: played / ((cpu.user + cpu.system) / 1e6),
    records,
    batches,
  };
}

export async function main(
  args: readonly string[] = process.argv.slice(2),
): Promise<TelemetryFilterResult> {
  const option = (name: string) =>
    args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const path = option("dbc") ?? DEFAULT_DBC;
  const r = await runTelemetryFilterBench(path, Number(option("seconds") ?? 3));
  const rate = (n: number) => Math.round(n).toLocaleString("en");
  const verdict = r.filterFramesPerCpuSecond >= GOAL_FRAMES_PER_SECOND ? "meets" : "misses";
  process.stdout.write(
    `telemetry decode+filter: ${rate(r.filterFramesPerCpuSecond)} frames per CPU second ` +
      `(50 ids, 3 streams): ${verdict} the goal of ${rate(GOAL_FRAMES_PER_SECOND)}\n` +
      `telemetry whole pipeline to the spool: ${rate(r.framesPerSecond)} frames/s wall, ` +
      `${rate(r.framesPerCpuSecond)} frames per CPU second (${rate(r.records)} records, ` +
      `${r.batches} batches)\n`,
  );
  return r;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
