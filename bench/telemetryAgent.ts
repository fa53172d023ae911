/**
 * Telemetry agent bench: the pipeline on 4 virtual buses at 4,000 frames/s each (50 IDs of a
 * real DBC), with 3 streams to Kafka (librdkafka's mock cluster) and MQTT (mosquitto), both in
 * processes of their own on loopback. Reports the process's CPU share of one core with and
 * without the pipeline listening (the difference is the agent's), its peak RSS, and then the
 * frame-to-acknowledgement latency per sink for batches of one record.
 *
 * The simulated buses run in the agent's process: the virtual bus is in-process, and a frame
 * source in another process would add an IPC read per frame that the agent does not pay on
 * SocketCAN either way. Their own cost (a timer every 5 ms, stamping and delivering frames to
 * no listener) is measured before the pipeline starts and after it stops, and subtracted.
 * The agent's figure is its steady state, measured over `--seconds` once the pipeline has run
 * for 5 s. Those first 5 s (V8 compiling the hot path on its own threads, first batches and
 * collections) are reported apart: a long-running agent pays them once. The window is 30 s by
 * default, six times the slowest stream's batch age, so that periodic work (batches of every
 * stream, old-generation collections every few seconds) is counted in proportion.
 * Options: --dbc=PATH --seconds=N (default 30) --latency-frames=N (default 1000),
 * --only=kafka|mqtt (every stream to one sink, to tell their costs apart), --v8=default (run
 * without the agent's production V8 flags, to see what they change).
 *
 * The agent runs in production with AGENT_V8_FLAGS (agent/telemetry/agentV8Flags.ts); a young
 * generation's size changes both RSS and GC work, so the bench measures under the same flags:
 * started without them, it runs itself again in a child process that has them.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { AGENT_V8_FLAGS } from "../agent/telemetry/agentV8Flags.js";
import type { StreamConfig, TelemetryConfig } from "../agent/telemetry/TelemetryConfig.js";
import { TelemetryPipeline } from "../agent/telemetry/TelemetryPipeline.js";
import type { CanBus } from "../drivers/can/CanBus.js";
import type { CanFrame } from "../drivers/can/CanFrame.js";
import { VirtualBus } from "../drivers/can/virtual/VirtualBus.js";
import { parseDbc, type Dbc } from "../drivers/dbc/index.js";
import { startMockKafkaProcess, startMosquittoProcess, type BenchBroker } from "./telemetryBrokers.js";
import { benchMessages, benchStreams, DEFAULT_DBC, evolvingTraffic } from "./telemetryTraffic.js";

const GOAL_CPU_PERCENT = 5;
const GOAL_RSS_MB = 120;
const BUSES = 4;
const FRAMES_PER_SECOND = 4000;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

interface Load {
  stop(): void;
  sent(): number;
}

/** Sends `FRAMES_PER_SECOND` on each bus against the clock (catching up on late timer ticks). */
function startLoad(senders: CanBus[], frames: readonly CanFrame[]): Load {
  const start = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * FRAMES_PER_SECOND);
    for (; sent < due; sent++) {
      for (let b = 0; b < senders.length; b++) {
        (senders[b] as CanBus).send(frames[(sent * BUSES + b) % frames.length] as CanFrame);
      }
    }
  }, 5);
  return { stop: () => clearInterval(timer), sent: () => sent * senders.length };
}

/** CPU share of one core and peak RSS over `ms`. */
async function measure(ms: number): Promise<{ cpuPercent: number; rssMb: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let rss = process.memoryUsage.rss();
  await new Promise<void>((done) => {
    const sample = setInterval(() => {
      rss = Math.max(rss, process.memoryUsage.rss());
      if (performance.now() - start >= ms) {
        clearInterval(sample);
        done();
      }
    }, 100);
  });
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - start;
  return { cpuPercent: ((used.user + used.system) / 1000 / wall) * 100, rssMb: rss / 2 ** 20 };
}

const wait = (ms: number) => new Promise((done) => setTimeout(done, ms));

function config(
  streams: StreamConfig[],
  kafka: string,
  mqttUrl: string,
  dir: string,
): TelemetryConfig {
  return {
    identity: { vin: "WBENCH00000000001", hashSalt: "bench" },
    streams,
    sinks: [
      { type: "kafka", name: "kafka", properties: { "bootstrap.servers": kafka } },
      { type: "mqtt", name: "mqtt", url: mqttUrl },
    ],
    spool: { dir, fsync: "interval" },
  };
}

async function cpuPhase(
  dbc: Dbc,
  kafka: BenchBroker,
  mqtt: BenchBroker,
  seconds: number,
  sinks: [string, string, string],
) {
  // A short cycle of frames: the bench's own memory should not count against the agent's RSS.
  const frames = evolvingTraffic(dbc, 5_000);
  const listeners = Array.from({ length: BUSES }, (_, i) => VirtualBus.endpoint(`bench${i}`, `can${i}`));
  const senders = Array.from({ length: BUSES }, (_, i) => VirtualBus.endpoint(`bench${i}`, "ecu"));
  const load = startLoad(senders, frames);
  await wait(1000);
  const idle = await measure((seconds * 1000) / 2);

  const dir = mkdtempSync(join(tmpdir(), "roadrig-bench-agent-"));
  const streams = benchStreams(dbc, sinks);
  const pipeline = new TelemetryPipeline({
    buses: listeners, dbc, config: config(streams, kafka.url, mqtt.url, dir), metricsIntervalMs: 0,
  });
  await pipeline.start();
  const startUp = await measure(5000);
  const busy = await measure(seconds * 1000);
  const metrics = pipeline.metrics();
  await pipeline.stop();
  // The buses alone again: other processes on a shared machine load it unevenly over a run,
  // and the mean of before and after bounds the drift better than either.
  await wait(500);
  const after = await measure((seconds * 1000) / 2);
  load.stop();
  for (const bus of [...listeners, ...senders]) await bus.close();
  rmSync(dir, { recursive: true, force: true });
  const buses = { cpuPercent: (idle.cpuPercent + after.cpuPercent) / 2, rssMb: idle.rssMb };
  return { idle: buses, startUp, busy, metrics, frames: load.sent() };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/** One frame at a time at 100 Hz; each makes one batch per sink, timed from send to ack. */
async function latencyPhase(dbc: Dbc, kafka: BenchBroker, mqtt: BenchBroker, count: number) {
  const message = benchMessages(dbc)[0];
  if (!message) throw new Error("no message to time");
  const signal = message.signals[0]?.name ?? "";
  const stream = (name: string, sink: string): StreamConfig => ({
    name, priority: 1, sink, topic: `bench/latency/${name}`,
    ids: [{ action: "accept", from: message.id, to: message.id }],
    signals: [{ names: [signal] }], batch: { maxCount: 1 },
  });
  const dir = mkdtempSync(join(tmpdir(), "roadrig-bench-latency-"));
  const bus = VirtualBus.endpoint("bench-latency", "can0");
  const ecu = VirtualBus.endpoint("bench-latency", "ecu");
  const pipeline = new TelemetryPipeline({
    buses: bus, dbc, metricsIntervalMs: 0,
    config: config([stream("k", "kafka"), stream("m", "mqtt")], kafka.url, mqtt.url, dir),
  });
  const sentAt = new Map<number, number>();
  const latencies: Record<string, number[]> = { k: [], m: [] };
  let now = 0;
  pipeline.on("spooled", (e) => sentAt.set(e.seq, now));
  pipeline.on("sent", (e) => latencies[e.stream]?.push(performance.now() - (sentAt.get(e.seq) ?? NaN)));
  const ready = new Promise<void>((done) => {
    const up = new Set<string>();
    pipeline.on("sink", (e) => {
      if (e.connected) up.add(e.sink);
      if (up.size === 2) done();
    });
  });
  await pipeline.start();
  await ready;
  const frames = evolvingTraffic(dbc, 50 * count).filter((f) => f.id === message.id);
  for (let i = 0; i < count + 50; i++) {
    now = performance.now();
    ecu.send(frames[i % frames.length] as CanFrame);
    await wait(10);
  }
  await pipeline.stop();
  await bus.close();
  await ecu.close();
  rmSync(dir, { recursive: true, force: true });
  // The first 50 warm the clients up.
  const summary = (xs: number[]) => {
    const sorted = xs.slice(50).sort((a, b) => a - b);
    return { n: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
  };
  return { kafka: summary(latencies.k ?? []), mqtt: summary(latencies.m ?? []) };
}

/** Runs this bench in a child process with the production V8 flags; resolves on its exit. */
async function withAgentFlags(args: readonly string[]): Promise<void> {
  const argv = [...AGENT_V8_FLAGS, fileURLToPath(import.meta.url), ...args];
  const child = spawn(process.execPath, argv, { stdio: "inherit" });
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`telemetry-agent bench child exited with ${code}`);
}

export async function main(args: readonly string[] = process.argv.slice(2)): Promise<void> {
  const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const v8Flags = option("v8") === "default" ? [] : AGENT_V8_FLAGS;
  if (!v8Flags.every((f) => process.execArgv.includes(f))) return withAgentFlags(args);
  const path = option("dbc") ?? DEFAULT_DBC;
  const seconds = Number(option("seconds") ?? 30);
  const dbc = parseDbc(readFileSync(path), { file: path, strict: false });
  const kafka = await startMockKafkaProcess(repoRoot);
  const mqtt = await startMosquittoProcess();
  try {
    const only = option("only");
    const sinks: [string, string, string] = only === "mqtt" || only === "kafka"
      ? [only, only, only] : ["kafka", "mqtt", "kafka"];
    const cpu = await cpuPhase(dbc, kafka, mqtt, seconds, sinks);
    const agent = cpu.busy.cpuPercent - cpu.idle.cpuPercent;
    const sent = Object.values(cpu.metrics.streams).reduce((n, s) => n + s.batchesSent, 0);
    const fmt = (n: number) => n.toFixed(1);
    process.stdout.write(
      `telemetry agent: ${BUSES} buses x ${FRAMES_PER_SECOND} frames/s, 3 streams to Kafka and ` +
        `MQTT: ${fmt(cpu.busy.cpuPercent)} % of a core with the pipeline, ` +
        `${fmt(cpu.idle.cpuPercent)} % for the simulated buses alone, so ${fmt(agent)} % for the ` +
        // CPU-ms per second is the same figure; said so because it reads as absolute work.
        `pipeline, ${fmt(agent * 10)} CPU-ms/s, ${fmt((agent * 1e4) / (BUSES * FRAMES_PER_SECOND))} ` +
        `µs/frame (goal <= ${GOAL_CPU_PERCENT} %: ${agent <= GOAL_CPU_PERCENT ? "meets" : "misses"}); ` +
        `peak RSS ${fmt(cpu.busy.rssMb)} MB (goal <= ${GOAL_RSS_MB} MB: ` +
        `${cpu.busy.rssMb <= GOAL_RSS_MB ? "meets" : "misses"}); ${sent} batches acknowledged, ` +
        `${cpu.metrics.spool.batches} left in the spool; V8 flags: ` +
        `${v8Flags.length > 0 ? `${v8Flags.join(" ")} (as in production)` : "none (--v8=default)"}\n`,
    );
    process.stdout.write(
      `telemetry agent, the first 5 s after start (not in the figure above): ` +
        `${fmt(cpu.startUp.cpuPercent - cpu.idle.cpuPercent)} % for the pipeline; steady state ` +
        `measured over ${seconds} s\n`,
    );
    const latency = await latencyPhase(dbc, kafka, mqtt, Number(option("latency-frames") ?? 1000));
    for (const [sink, l] of Object.entries(latency)) {
      process.stdout.write(
        `telemetry frame-to-ack latency, ${sink} on loopback: p50 ${fmt(l.p50)} ms, ` +
          `p99 ${fmt(l.p99)} ms (${l.n} frames, batches of one record)\n`,
      );
    }
  } finally {
    await mqtt.stop();
    await kafka.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
