import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Sink, SinkListener } from "../agent/telemetry/Sink.js";
import type { StreamConfig, TriggerConfig } from "../agent/telemetry/TelemetryConfig.js";
import type { CanFrame } from "../drivers/can/CanFrame.js";
import { makeFrame } from "../drivers/can/CanFrame.js";
import type { Dbc, DbcMessage, DbcSignal } from "../drivers/dbc/index.js";

const thisFile = fileURLToPath(import.meta.url);
// dist/bench/x.js → the checkout's root; the shared data sits beside the checkout.
export const sharedDir =
  process.env.ROADRIG_SHARED ?? resolve(dirname(thisFile), "..", "..", "..", "shared");
export const DEFAULT_DBC = join(sharedDir, "data", "dbc", "opendbc__vw_mqb.dbc");

/** Small deterministic PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The 50 classic, unmultiplexed messages with the most signals: the heaviest to decode. */
export function benchMessages(dbc: Dbc): DbcMessage[] {
  return [...dbc.messages]
    .filter((m) => !m.multiplexed && m.signals.every((s) => s.fitsMessage) && m.length <= 8)
    .sort((a, b) => b.signals.length - a.signals.length)
    .slice(0, 50);
}

/**
 * Traffic as a bus carries it: the messages round-robin, each payload the previous one of its
 * ID with, one time in ten, one byte changed. Random payloads per frame would make every
 * on-change filter keep everything, which no vehicle does.
 */
export function evolvingTraffic(dbc: Dbc, count: number, seed = 42): CanFrame[] {
  const next = random(seed);
  const messages = benchMessages(dbc);
  const byte = () => Math.floor(next() * 256);
  const last = messages.map((m) => Uint8Array.from({ length: m.length }, byte));
  const frames: CanFrame[] = [];
  for (let i = 0; i < count; i++) {
    const k = i % messages.length;
    const message = messages[k] as DbcMessage;
    const data = Uint8Array.from(last[k] as Uint8Array);
    if (next() < 0.1 && data.length > 0) data[Math.floor(next() * data.length)] = byte();
    last[k] = data;
    frames.push(makeFrame(message.id, data, { extended: message.extended }));
  }
  return frames;
}

/**
 * Three streams of the kind an agent runs: state changes of ten messages beyond a 1 % deadband,
 * with a capture around a threshold crossing (high priority), one-second windows of everything,
 * and a 10 Hz sample of ten messages.
 */
export function benchStreams(
  dbc: Dbc,
  sinks: [events: string, windows: string, thin: string],
): StreamConfig[] {
  const messages = benchMessages(dbc);
  const ids = messages.map((m) => m.id);
  const accept = (list: number[]) => list.map((id) => ({ action: "accept" as const, from: id, to: id }));
  return [
    {
      name: "events", priority: 10, ids: accept(ids.slice(0, 10)),
      signals: [{ names: ["*"], onChange: { relative: 0.01 } }],
      triggers: [benchTrigger(dbc, messages[0] as DbcMessage)],
      batch: { maxCount: 200, maxAgeMs: 250 }, sink: sinks[0], topic: "bench/events",
    },
    {
      name: "windows", priority: 1,
      signals: [{ names: ["*"], windowMs: 1000 }],
      batch: { maxCount: 2000, maxAgeMs: 5000 }, format: "binary", compression: "gzip",
      sink: sinks[1], topic: "bench/windows",
    },
    {
      name: "thin", priority: 5, ids: accept(ids.slice(10, 20)),
      signals: [{ names: ["*"], minIntervalMs: 100 }],
      batch: { maxCount: 500, maxAgeMs: 1000 }, format: "binary", compression: "gzip",
      sink: sinks[2], topic: "bench/thin",
    },
  ];
}

/**
 * A capture when two signals of the first message both pass the middle of their raw range
 * (which the evolving traffic crosses now and then), half a second either side. The signals
 * are ones whose names no other message uses: a name such as CHECKSUM would feed the trigger
 * from every message of the bus.
 */
function benchTrigger(dbc: Dbc, message: DbcMessage): TriggerConfig {
  const uses = new Map<string, number>();
  for (const m of dbc.messages) {
    for (const s of m.signals) uses.set(s.name, (uses.get(s.name) ?? 0) + 1);
  }
  const [a, b] = message.signals.filter((s) => uses.get(s.name) === 1 && s.length >= 4);
  if (!a || !b) throw new Error(`${message.name}: expected two signals to trigger on`);
  const middle = (s: DbcSignal) => s.offset + s.factor * (s.signed ? 0 : 2 ** (s.length - 1));
  const lit = (n: number) => n.toFixed(6);
  return {
    name: "threshold", when: `${a.name} > ${lit(middle(a))} && ${b.name} > ${lit(middle(b))}`,
    minIntervalMs: 1000, preMs: 500, postMs: 500, capture: [a.name, b.name],
  };
}

/** A sink that acknowledges everything at once: the pipeline's own cost, nothing else's. */
export class NullSink implements Sink {
  readonly maxPayloadBytes = 1 << 30;
  readonly connected = true;
  sent = 0;

  constructor(readonly name: string) {}

  start(): Promise<void> {
    return Promise.resolve();
  }

  send(): Promise<void> {
    this.sent++;
    return Promise.resolve();
  }

  onState(_listener: SinkListener): () => void {
    return () => undefined;
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
