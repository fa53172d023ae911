import { EventEmitter } from "node:events";
import type { CanBus } from "../../drivers/can/CanBus.js";
import type { CanFrame } from "../../drivers/can/CanFrame.js";
import type { Dbc } from "../../drivers/dbc/index.js";
import { Batcher } from "./Batcher.js";
import { BusLane } from "./BusLane.js";
import { createSink } from "./createSink.js";
import { encodePayload } from "./payloadCodec.js";
import { resolveIdentity, type VehicleIdentity } from "./resolveIdentity.js";
import type { Sink } from "./Sink.js";
import { SinkDispatcher, type DispatchRoute } from "./SinkDispatcher.js";
import { Spool } from "./Spool.js";
import type { SpoolEntry } from "./SpoolEntry.js";
import { StreamFilter, type Emit } from "./StreamFilter.js";
import type { TelemetryBatch } from "./TelemetryBatch.js";
import type { StreamConfig, TelemetryConfig } from "./TelemetryConfig.js";
import type { DropReason, TelemetryEvents } from "./TelemetryEvents.js";
import {
  emptyStreamMetrics, type BusMetrics, type StreamMetrics, type TelemetryMetrics,
} from "./TelemetryMetrics.js";
import type { TelemetryRecord } from "./TelemetryRecord.js";
import { TokenBucket } from "./TokenBucket.js";

export interface TelemetryPipelineOptions {
  /** The buses to listen to; each is named in metrics and records by its `name`. */
  buses: CanBus | readonly CanBus[];
  dbc: Dbc;
  config: TelemetryConfig;
  /** Sinks built by the caller, by name, instead of from `config.sinks` (embedded default). */
  sinks?: readonly Sink[];
  /** Emit `metrics` this often, ms; default 60 s; 0 never. */
  metricsIntervalMs?: number;
}

export interface TelemetryHealth {
  state: "idle" | "running" | "stopped";
  sinks: Record<string, { connected: boolean }>;
  spool: { bytes: number; batches: number };
  /** Ms since the last frame, or undefined before the first. */
  lastFrameAgeMs: number | undefined;
}

interface StreamState {
  config: StreamConfig;
  batcher: Batcher;
  metrics: StreamMetrics;
  sink: string;
}

/**
 * The telemetry pipeline: frames from the buses are decoded with the DBC, filtered per stream,
 * batched, spooled, and sent by priority to the sinks. Nothing is sent that was not spooled
 * first, and nothing leaves the spool before its sink acknowledges it.
 */
export class TelemetryPipeline extends EventEmitter<TelemetryEvents> {
  private readonly buses: readonly CanBus[];
  private readonly dbc: Dbc;
  private readonly config: TelemetryConfig;
  private readonly identity: VehicleIdentity;
  private readonly streams = new Map<string, StreamState>();
  private readonly lanes: BusLane[];
  private sinks = new Map<string, Sink>();
  private readonly dispatchers: SinkDispatcher[] = [];
  private spool: Spool | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private timers: NodeJS.Timeout[] = [];
  private state: TelemetryHealth["state"] = "idle";
  private offsetMs = 0;

  constructor(private readonly options: TelemetryPipelineOptions) {
    super();
    this.buses = Array.isArray(options.buses) ? options.buses : [options.buses as CanBus];
    this.dbc = options.dbc;
    this.config = options.config;
    this.identity = resolveIdentity(options.config.identity);
    const sinkNames = new Set([
      ...options.config.sinks.map((s) => s.name),
      ...(options.sinks ?? []).map((s) => s.name),
    ]);
    for (const config of options.config.streams) {
      if (!sinkNames.has(config.sink)) {
        throw new RangeError(`stream ${config.name}: expected a configured sink, found ${config.sink}`);
      }
      if (this.streams.has(config.name)) throw new RangeError(`stream ${config.name} appears twice`);
      this.streams.set(config.name, {
        config,
        batcher: new Batcher(config.batch),
        metrics: emptyStreamMetrics(),
        sink: config.sink,
      });
    }
    // Filters (and their expressions) compile here: a bad configuration fails at construction.
    this.lanes = this.buses.map((bus) => this.lane(bus.name));
  }

  /** Opens the spool, connects the sinks and starts listening to the buses. */
  async start(): Promise<void> {
    if (this.state !== "idle") throw new Error(`telemetry pipeline is ${this.state}`);
    this.offsetMs = Date.now() - Number(process.hrtime.bigint()) / 1e6;
    this.spool = new Spool(this.config.spool);
    for (const sink of this.options.sinks ?? []) this.sinks.set(sink.name, sink);
    for (const config of this.config.sinks) {
      if (!this.sinks.has(config.name)) this.sinks.set(config.name, await createSink(config));
    }
    const bucket = new TokenBucket(this.config.maxSendBytesPerSecond ?? Infinity);
    for (const sink of this.sinks.values()) this.dispatchers.push(this.dispatcher(sink, bucket));
    for (const sink of this.sinks.values()) {
      this.unsubscribe.push(sink.onState((connected, error) =>
        this.emit("sink", { sink: sink.name, connected, ...(error ? { error } : {}) })));
      await sink.start();
    }
    this.buses.forEach((bus, i) => {
      const lane = this.lanes[i] as BusLane;
      this.unsubscribe.push(bus.onFrame((frame, ts) => this.onFrame(lane, frame, ts)));
    });
    this.startTimers();
    this.state = "running";
    this.kick();
  }

  /**
   * Stops listening, closes every open batch into the spool, gives in-flight sends up to
   * `graceMs` to be acknowledged, then closes sinks and spool. What is unsent stays spooled.
   */
  async stop(graceMs = 2000): Promise<void> {
    if (this.state !== "running") return;
    this.state = "stopped";
    for (const off of this.unsubscribe.splice(0)) off();
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.flush();
    const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(this.dispatchers.map((d) => d.settled())), grace]);
    for (const d of this.dispatchers) d.stop();
    for (const sink of this.sinks.values()) await sink.stop();
    this.spool?.close();
  }

  /**
   * Closes every open window, capture and batch now, into the spool (a capture ends before its
   * post window has run out). Stop does this; tests and the bench use it to drain.
   */
  flush(): void {
    const now = this.nowMs();
    for (const lane of this.lanes) {
      for (const { filter, emit } of lane.filters) filter.flush(Infinity, emit);
    }
    for (const [name, s] of this.streams) {
      const records = s.batcher.take();
      if (records) this.close(name, records, now);
    }
  }

  /** Feeds one frame as if `bus` had received it at monotonic `timestampNs` (bench, tests). */
  ingest(busIndex: number, frame: CanFrame, timestampNs: bigint): void {
    this.onFrame(this.lanes[busIndex] as BusLane, frame, timestampNs);
  }

  health(): TelemetryHealth {
    const now = this.nowMs();
    const last = Math.max(-Infinity, ...this.lanes.map((l) => l.lastFrameMs ?? -Infinity));
    return {
      state: this.state,
      sinks: this.sinkStates(),
      spool: { bytes: this.spool?.bytes ?? 0, batches: this.spool?.count ?? 0 },
      lastFrameAgeMs: last === -Infinity ? undefined : now - last,
    };
  }

  metrics(): TelemetryMetrics {
    const buses: Record<string, BusMetrics> = {};
    for (const lane of this.lanes) buses[lane.bus] = { ...lane.counters };
    const streams: Record<string, StreamMetrics> = {};
    for (const [name, s] of this.streams) {
      const m = { ...s.metrics };
      for (const lane of this.lanes) {
        const f = lane.filters.find((x) => x.filter.config.name === name)?.filter.stats;
        if (!f) continue;
        m.framesFiltered += f.filteredFrames;
        m.samplesFiltered += f.filteredSamples;
        m.records += f.records;
        m.outOfRange += f.outOfRange;
      }
      streams[name] = m;
    }
    return {
      buses,
      streams,
      spool: { bytes: this.spool?.bytes ?? 0, batches: this.spool?.count ?? 0 },
      sinks: this.sinkStates(),
    };
  }

  private lane(bus: string): BusLane {
    const filters = [...this.streams.values()].map((s) => {
      const filter = new StreamFilter(s.config, this.dbc, bus);
      // Records are emitted while the lane handles a frame: its time is the batch's clock.
      const emit: Emit = (record) => this.collect(s, record, lane.lastFrameMs ?? this.nowMs());
      return { filter, emit };
    });
    const lane = new BusLane(bus, this.dbc, filters);
    return lane;
  }

  private onFrame(lane: BusLane, frame: CanFrame, timestampNs: bigint): void {
    lane.frame(frame, this.offsetMs + Number(timestampNs) / 1e6);
  }

  private collect(s: StreamState, record: TelemetryRecord, now: number): void {
    const records = s.batcher.add(record, now);
    if (records) this.close(s.config.name, records, now);
  }

  /** Encodes a closed batch and spools it, split as the sink's payload limit needs. */
  private close(stream: string, records: TelemetryRecord[], now: number): void {
    const spool = this.spool;
    const s = this.streams.get(stream) as StreamState;
    if (!spool) return;
    const limit = this.sinks.get(s.sink)?.maxPayloadBytes ?? Infinity;
    const { format = "json", compression = "none", priority } = s.config;
    const encode = (part: TelemetryRecord[]) => {
      const batch: TelemetryBatch = {
        v: 1, stream, seq: spool.peekSeq(), vehicle: this.identity.vehicle, createdAt: now,
        records: part,
        ...(Object.keys(this.identity.identifiers).length > 0
          ? { identifiers: this.identity.identifiers } : {}),
      };
      return encodePayload(batch, format, compression);
    };
    const pending: TelemetryRecord[][] = [records];
    while (pending.length > 0) {
      const part = pending.shift() as TelemetryRecord[];
      const payload = encode(part);
      if (payload.length > limit) {
        if (part.length === 1) {
          this.drop(s, undefined, payload.length, "too-large");
          continue;
        }
        const half = Math.ceil(part.length / 2);
        pending.unshift(part.slice(0, half), part.slice(half));
        continue;
      }
      let appended: ReturnType<Spool["append"]>;
      try {
        appended = spool.append(stream, priority, payload);
      } catch (error) {
        // The frame path must not throw: a batch the disk refused is reported and counted.
        const err = error instanceof Error ? error : new Error(String(error));
        this.drop(s, undefined, payload.length, "spool-error", err);
        continue;
      }
      const { entry, evicted } = appended;
      for (const victim of evicted) {
        const owner = this.streams.get(victim.stream);
        if (owner) this.drop(owner, victim.seq, victim.size, "evicted");
      }
      if (!entry) {
        this.drop(s, undefined, payload.length, "refused");
        continue;
      }
      s.metrics.batchesSpooled++;
      s.metrics.bytesSpooled += payload.length;
      this.emit("spooled", { stream, seq: entry.seq, bytes: payload.length, records: part.length });
    }
    this.kick();
  }

  private drop(
    s: StreamState,
    seq: number | undefined,
    bytes: number,
    reason: DropReason,
    error?: Error,
  ): void {
    s.metrics.batchesDropped++;
    s.metrics.bytesDropped += bytes;
    const stream = s.config.name;
    this.emit("dropped", {
      stream, bytes, reason, ...(seq !== undefined ? { seq } : {}), ...(error ? { error } : {}),
    });
  }

  private dispatcher(sink: Sink, bucket: TokenBucket): SinkDispatcher {
    const routes = new Map<string, DispatchRoute>();
    for (const s of this.streams.values()) {
      if (s.sink !== sink.name) continue;
      const topic = s.config.topic
        .replaceAll("{vehicle}", this.identity.vehicle)
        .replaceAll("{stream}", s.config.name);
      routes.set(s.config.name, { topic });
    }
    return new SinkDispatcher(sink, this.spool as Spool, routes, this.identity.vehicle, bucket, {
      sent: (entry, latencyMs) => this.onSent(entry, latencyMs),
      failed: (entry, error) => {
        const s = this.streams.get(entry.stream);
        if (s) s.metrics.sendFailures++;
        this.emit("sendFailed", { sink: sink.name, stream: entry.stream, seq: entry.seq, error });
      },
    });
  }

  private onSent(entry: SpoolEntry, latencyMs: number): void {
    const s = this.streams.get(entry.stream);
    if (s) {
      s.metrics.batchesSent++;
      s.metrics.bytesSent += entry.size;
    }
    this.emit("sent", { stream: entry.stream, seq: entry.seq, bytes: entry.size, latencyMs });
  }

  private kick(): void {
    if (this.state !== "running") return;
    for (const d of this.dispatchers) d.kick();
  }

  private startTimers(): void {
    const tick = setInterval(() => this.tick(), this.config.tickMs ?? 100);
    tick.unref();
    this.timers.push(tick);
    const every = this.options.metricsIntervalMs ?? 60_000;
    if (every > 0) {
      const t = setInterval(() => this.emit("metrics", this.metrics()), every);
      t.unref();
      this.timers.push(t);
    }
  }

  private tick(): void {
    const now = this.nowMs();
    for (const lane of this.lanes) {
      for (const { filter, emit } of lane.filters) filter.flush(now, emit);
    }
    for (const [name, s] of this.streams) {
      const records = s.batcher.tick(now);
      if (records) this.close(name, records, now);
    }
  }

  private nowMs(): number {
    return this.offsetMs + Number(process.hrtime.bigint()) / 1e6;
  }

  private sinkStates(): Record<string, { connected: boolean }> {
    const out: Record<string, { connected: boolean }> = {};
    for (const [name, sink] of this.sinks) out[name] = { connected: sink.connected };
    return out;
  }
}
