import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultTelemetryConfig, SAMPLE_VIN } from "../../../agent/telemetry/defaultTelemetryConfig.js";
import { MetricsServer } from "../../../agent/telemetry/MetricsServer.js";
import type { TelemetryConfig } from "../../../agent/telemetry/TelemetryConfig.js";
import { TelemetryPipeline } from "../../../agent/telemetry/TelemetryPipeline.js";
import type { TelemetryRecord } from "../../../agent/telemetry/TelemetryRecord.js";
import { VirtualBus } from "../../../drivers/can/virtual/VirtualBus.js";
import { sampleDriveFrames } from "../../../replay/sample/sampleDriveFrames.js";
import { startMosquitto, type TestBroker } from "../shadow/service/support/brokers.js";
import { BatchCollector } from "./support/BatchCollector.js";
import { sampleDbc } from "./support/sampleDbc.js";
import { TcpGate } from "./support/TcpGate.js";

const dbc = sampleDbc();
const SALT = "per-fleet-secret";
let broker: TestBroker;
const dirs: string[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "roadrig-telemetry-"));
  dirs.push(d);
  return d;
}

/** A pipeline on its own virtual bus, with what it reports recorded. */
async function startPipeline(config: TelemetryConfig, busName: string) {
  const bus = VirtualBus.endpoint(busName, "telemetry");
  const pipeline = new TelemetryPipeline({ buses: bus, dbc, config, metricsIntervalMs: 0 });
  const spooled: { stream: string; seq: number }[] = [];
  const evicted: number[] = [];
  pipeline.on("spooled", (e) => spooled.push(e));
  const sent = new Set<number>();
  pipeline.on("sent", (e) => sent.add(e.seq));
  /** Resolves once the sink has acknowledged every one of `seqs`. */
  const acknowledged = (seqs: number[]) => new Promise<void>((resolve) => {
    const check = () => {
      if (seqs.every((seq) => sent.has(seq))) resolve();
    };
    pipeline.on("sent", check);
    check();
  });
  pipeline.on("dropped", (e) => {
    if (e.seq !== undefined) evicted.push(e.seq);
  });
  const connected = new Promise<void>((resolve) =>
    pipeline.on("sink", (e) => e.connected && resolve()));
  await pipeline.start();
  const origin = process.hrtime.bigint();
  /** The sample drive's frames from `fromS` for `seconds`, at their own times. */
  const feed = (fromS: number, seconds: number) => {
    for (const { timeNs, frame } of sampleDriveFrames({ durationS: fromS + seconds })) {
      if (timeNs >= fromS * 1e9) pipeline.ingest(0, frame, origin + BigInt(timeNs));
    }
  };
  return { pipeline, bus, spooled, evicted, connected, feed, acknowledged };
}

function samples(records: TelemetryRecord[], signal: string) {
  return records.filter((r) => r.type === "sample" && r.signal === signal);
}

describe("TelemetryPipeline to Mosquitto", () => {
  it("delivers every spooled batch of the sample drive, with the filters' records", async () => {
    const stateDir = tempDir();
    const config = defaultTelemetryConfig({ brokerUrl: broker.url, stateDir, hashSalt: SALT });
    const collector = await BatchCollector.start(broker.url, "roadrig/+/telemetry/#");
    const rig = await startPipeline(config, "telemetry-mqtt-1");
    await rig.connected;
    rig.feed(0, 90);
    rig.pipeline.flush();
    const want = rig.spooled.map((s) => s.seq);
    await collector.until(() => want.every((seq) => collector.seqs().includes(seq)));
    await rig.acknowledged(want);
    const metrics = rig.pipeline.metrics();
    await rig.pipeline.stop();
    await rig.bus.close();
    await collector.stop();

    expect(collector.seqs().sort((a, b) => a - b)).toEqual(want);
    const records = collector.batches.flatMap((b) => b.records);
    const events = collector.batches.filter((b) => b.stream === "events").flatMap((b) => b.records);

    // Door, trunk and lock changes, counted independently with the DBC's other decode path.
    let changes = 0;
    let last: Record<string, number | bigint> | undefined;
    for (const { frame } of sampleDriveFrames({ durationS: 90 })) {
      if (frame.id !== 0x3a0) continue;
      const v = dbc.decodeValues(frame) ?? {};
      for (const k of ["DoorFL", "DoorFR", "DoorRL", "DoorRR", "Trunk", "Locked"]) {
        if (last === undefined || last[k] !== v[k]) changes++;
      }
      last = v;
    }
    const bodySamples = events.filter((r) => r.type === "sample");
    expect(bodySamples.length).toBe(changes);
    expect(changes).toBeGreaterThan(6);

    const captures = events.filter((r) => r.type === "capture");
    expect(captures.length).toBeGreaterThan(0);
    for (const c of captures) {
      if (c.type !== "capture") continue;
      const at = c.samples.filter((s) => s.t === c.t && s.signal === "LongitudinalAccel");
      expect(at.some((s) => s.value < -3.5)).toBe(true);
      expect(Math.min(...c.samples.map((s) => s.t))).toBeGreaterThanOrEqual(c.t - 2000);
    }

    // Every VehicleDynamics frame lands in exactly one speed window.
    let dynamics = 0;
    for (const { frame } of sampleDriveFrames({ durationS: 90 })) {
      if (frame.id === 0x0d0) dynamics++;
    }
    const windows = records.filter((r) => r.type === "window" && r.signal === "VehicleSpeed");
    expect(windows.reduce((n, w) => n + (w.type === "window" ? w.count : 0), 0)).toBe(dynamics);
    expect(samples(records, "VehicleSpeed")).toEqual([]);

    // Identity: the VIN never leaves; its salted hash names vehicle and topic.
    const hashed = createHmac("sha256", SALT).update(SAMPLE_VIN).digest("hex");
    expect(new Set(collector.batches.map((b) => b.vehicle))).toEqual(new Set([hashed]));
    expect(collector.batches.every((b) => b.topic.startsWith(`roadrig/${hashed}/`))).toBe(true);
    expect(JSON.stringify(collector.batches)).not.toContain(SAMPLE_VIN);

    expect(metrics.buses["telemetry"]?.framesReceived).toBeGreaterThan(0);
    const sent = metrics.streams["events"]?.batchesSent ?? 0;
    expect(sent + (metrics.streams["periodic"]?.batchesSent ?? 0)).toBe(want.length);
  });

  it("spools while the broker is away, then drains events before periodic data", async () => {
    const gate = new TcpGate(Number(new URL(broker.url).port));
    await gate.open();
    const config = defaultTelemetryConfig({ brokerUrl: gate.url, stateDir: tempDir() });
    for (const s of config.streams) s.batch = { maxCount: 5, maxAgeMs: 60_000 };
    config.maxSendBytesPerSecond = 200_000;
    const collector = await BatchCollector.start(broker.url, "roadrig/+/telemetry/#");
    const rig = await startPipeline(config, "telemetry-mqtt-2");
    await rig.connected;
    rig.feed(0, 20);
    await collector.until(() => rig.spooled.every((s) => collector.seqs().includes(s.seq)));
    const before = collector.batches.length;

    const down = new Promise<void>((resolve) => rig.pipeline.on("sink", (e) => !e.connected && resolve()));
    await gate.shut();
    await down;
    const during = rig.spooled.length;
    rig.feed(20, 60);
    rig.pipeline.flush();
    const outage = rig.spooled.slice(during);
    expect(outage.length).toBeGreaterThan(20);
    // Plus any batch whose PUBACK the cut lost: it stays spooled and goes again.
    expect(rig.pipeline.health().spool.batches).toBeGreaterThanOrEqual(outage.length);
    expect(rig.pipeline.health().spool.batches).toBeLessThanOrEqual(outage.length + 1);
    expect(collector.batches.length).toBe(before);

    await gate.open();
    await collector.until(() => outage.every((s) => collector.seqs().includes(s.seq)));
    await rig.pipeline.stop();
    await rig.bus.close();
    await collector.stop();
    await gate.shut();

    const outageSeqs = new Set(outage.map((s) => s.seq));
    const drained = collector.batches.slice(before).filter((b) => outageSeqs.has(b.seq))
      .map((b) => b.stream);
    const firstPeriodic = drained.indexOf("periodic");
    expect(drained.lastIndexOf("events")).toBeLessThan(firstPeriodic);
    expect(new Set(collector.seqs())).toEqual(new Set(rig.spooled.map((s) => s.seq)));
  });

  it("evicts periodic data first when the spool is full, and counts every eviction", async () => {
    const gate = new TcpGate(Number(new URL(broker.url).port));
    await gate.open();
    const config = defaultTelemetryConfig({ brokerUrl: gate.url, stateDir: tempDir() });
    // Two minutes make ~86 kB of events (a harsh-braking capture is most of it) and ~47 kB of
    // periodic JSON: the bound holds the events and only part of the rest.
    config.spool.maxBytes = 110_000;
    for (const s of config.streams) s.batch = { maxCount: 10, maxAgeMs: 60_000 };
    Object.assign(config.streams[1] ?? {}, { format: "json", compression: "none" });
    const rig = await startPipeline(config, "telemetry-mqtt-3");
    await rig.connected;
    const down = new Promise<void>((resolve) => rig.pipeline.on("sink", (e) => !e.connected && resolve()));
    await gate.shut();
    await down;
    rig.feed(0, 120);
    rig.pipeline.flush();
    const metrics = rig.pipeline.metrics();
    const health = rig.pipeline.health();

    const collector = await BatchCollector.start(broker.url, "roadrig/+/telemetry/#");
    await gate.open();
    const kept = rig.spooled.filter((s) => !rig.evicted.includes(s.seq)).map((s) => s.seq);
    await collector.until(() => kept.every((seq) => collector.seqs().includes(seq)));
    await rig.pipeline.stop();
    await rig.bus.close();
    await collector.stop();
    await gate.shut();

    const streamOf = new Map(rig.spooled.map((s) => [s.seq, s.stream]));
    expect(rig.evicted.length).toBeGreaterThan(0);
    expect(rig.evicted.every((seq) => streamOf.get(seq) === "periodic")).toBe(true);
    expect(metrics.streams["periodic"]?.batchesDropped).toBe(rig.evicted.length);
    expect(metrics.streams["events"]?.batchesDropped).toBe(0);
    expect(health.spool.bytes).toBeLessThanOrEqual(110_000);
    // Every event survived, and exactly what was not evicted arrived.
    expect(collector.seqs().sort((a, b) => a - b)).toEqual(kept);
  });

  it("serves its counters on /metrics in Prometheus's format", async () => {
    const config = defaultTelemetryConfig({ brokerUrl: broker.url, stateDir: tempDir() });
    const rig = await startPipeline(config, "telemetry-mqtt-4");
    const server = await MetricsServer.start(() => rig.pipeline.metrics(), 0);
    // Frames on the virtual bus itself, including one the DBC does not know.
    const ecu = VirtualBus.endpoint("telemetry-mqtt-4", "ecu");
    let sent = 0;
    for (const { frame } of sampleDriveFrames({ durationS: 2 })) {
      ecu.send(frame);
      sent++;
    }
    ecu.send({ ...[...sampleDriveFrames({ durationS: 1 })][0]!.frame, id: 0x7ff });
    const text = await (await fetch(server.url)).text();
    await server.close();
    await rig.pipeline.stop();
    await rig.bus.close();
    await ecu.close();
    expect(text).toContain(`roadrig_telemetry_frames_received_total{bus="telemetry"} ${sent + 1}`);
    expect(text).toContain(`roadrig_telemetry_frames_decoded_total{bus="telemetry"} ${sent}`);
    expect(text).toContain('roadrig_telemetry_unknown_ids_total{bus="telemetry"} 1');
    expect(text).toMatch(/# TYPE roadrig_telemetry_frames_filtered_total counter/);
    expect(text).toMatch(/roadrig_telemetry_frames_filtered_total\{stream="events"\} [1-9]\d*/);
    expect(text).toMatch(/roadrig_telemetry_sink_connected\{sink="uplink"\} [01]/);
  });
});
