import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TelemetryConfig } from "../../../agent/telemetry/TelemetryConfig.js";
import { TelemetryPipeline } from "../../../agent/telemetry/TelemetryPipeline.js";
import type { SampleRecord, TelemetryRecord } from "../../../agent/telemetry/TelemetryRecord.js";
import { VirtualBus } from "../../../drivers/can/virtual/VirtualBus.js";
import { parseDbc } from "../../../drivers/dbc/index.js";
import { openLog } from "../../../replay/formats/openLog.js";
import { CanBusOutput } from "../../../replay/outputs/CanBusOutput.js";
import { Replay } from "../../../replay/Replay.js";
import { dataPath, hasShared, truthPath } from "../../support/sharedData.js";
import { startMosquitto, type TestBroker } from "../shadow/service/support/brokers.js";
import { BatchCollector } from "./support/BatchCollector.js";
import { KafkaReader, MockKafka } from "./support/MockKafka.js";

const LOG = "api-examples__3BA199E2_00000164_00000005-60FEB5A8.MF4";
const DBC = "api-examples__canmod-gps.dbc";

interface TruthFrame {
  input: { id: string; candump_line: string };
  message: string;
  physical: Record<string, number>;
}
interface ChannelTruth { first: number; last: number; min: number; max: number }
interface GroupTruth { acq_name: string; channel_values: Record<string, ChannelTruth> }

/** asammdf's decode of the same log with the same DBC: per message ID, per signal. */
function asammdfTruth(): Map<number, Map<string, ChannelTruth>> {
  const json = JSON.parse(readFileSync(truthPath("mf4",
    "api-examples__decoded_3BA199E2_00000164_00000005-60FEB5A8.mf4.json"), "utf8")) as { groups: GroupTruth[] };
  const out = new Map<number, Map<string, ChannelTruth>>();
  for (const g of json.groups) {
    const id = parseInt(/ID=0x([0-9A-F]+)/i.exec(g.acq_name)?.[1] ?? "-1", 16);
    const signals = new Map<string, ChannelTruth>();
    for (const [key, v] of Object.entries(g.channel_values)) {
      const name = key.slice(key.indexOf(":") + 1);
      if (name !== "time") signals.set(name, v);
    }
    out.set(id, signals);
  }
  return out;
}

function config(kafkaServers: string, mqttUrl: string, dir: string): TelemetryConfig {
  return {
    identity: { vin: "WDB0000000REALLOG", hashSalt: "fleet-7" },
    streams: [
      {
        name: "gnss", priority: 10,
        ids: [{ action: "accept", from: 0x1, to: 0x8 }],
        signals: [{ names: ["*"] }],
        batch: { maxCount: 100, maxAgeMs: 500 },
        sink: "kafka", topic: "vehicle.gnss",
      },
      {
        name: "imu", priority: 1,
        ids: [{ action: "accept", id: 0x9, mask: 0x7ff }],
        signals: [
          { names: ["Acceleration*", "AngularRate*"], windowMs: 1000 },
          { names: ["ImuValid"], onChange: {} },
        ],
        batch: { maxCount: 50, maxAgeMs: 1000 },
        format: "binary", compression: "gzip",
        sink: "mqtt", topic: "vehicles/{vehicle}/imu",
      },
    ],
    sinks: [
      { type: "kafka", name: "kafka", properties: { "bootstrap.servers": kafkaServers } },
      { type: "mqtt", name: "mqtt", url: mqttUrl },
    ],
    spool: { dir, fsync: "always" },
  };
}

describe.skipIf(!hasShared)(`a real log (${LOG}) replayed into the pipeline`, () => {
  let broker: TestBroker;
  let kafka: MockKafka;
  let dir: string;

  beforeAll(async () => {
    broker = await startMosquitto();
    kafka = await MockKafka.start();
    dir = mkdtempSync(join(tmpdir(), "roadrig-telemetry-real-"));
  });
  afterAll(async () => {
    await broker.stop();
    await kafka.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("forwards two streams to Kafka and MQTT, decoded as cantools and asammdf decode them",
    async () => {
      const dbc = parseDbc(readFileSync(dataPath("dbc", DBC)), { file: DBC });
      const bus = VirtualBus.endpoint("real-log", "telemetry");
      const pipeline = new TelemetryPipeline({
        buses: bus,
        dbc,
        config: config(kafka.bootstrapServers, broker.url, dir),
        metricsIntervalMs: 0,
      });
      const spooled = new Map<string, number[]>([["gnss", []], ["imu", []]]);
      const sent = new Set<number>();
      pipeline.on("spooled", (e) => spooled.get(e.stream)?.push(e.seq));
      pipeline.on("sent", (e) => sent.add(e.seq));
      const allSent = () => [...spooled.values()].flat().every((s) => sent.has(s));
      const collector = await BatchCollector.start(broker.url, "vehicles/+/imu");
      await pipeline.start();

      const output = new CanBusOutput("virtual:real-log", VirtualBus.endpoint("real-log", "replay"));
      const replay = new Replay({ sources: [{ reader: await openLog(dataPath("mf4", LOG)) }], outputs: [output], rate: 20 });
      const summary = await replay.run();
      pipeline.flush();
      await new Promise<void>((resolve) => {
        const check = () => allSent() && resolve();
        pipeline.on("sent", check);
        check();
      });
      const metrics = pipeline.metrics();
      await pipeline.stop();
      await output.close();
      await bus.close();
      const reader = await KafkaReader.start(kafka.bootstrapServers, "vehicle.gnss");
      const gnssSeqs = spooled.get("gnss") ?? [];
      const imuSeqs = spooled.get("imu") ?? [];
      await reader.until(() => reader.batches.length >= gnssSeqs.length);
      await collector.until(() => collector.batches.length >= imuSeqs.length);
      await reader.stop();
      await collector.stop();

      // Exactly what was accepted arrived, each at its sink.
      expect(summary.frames).toBe(5477);
      expect(reader.seqs().sort((a, b) => a - b)).toEqual(gnssSeqs);
      expect(collector.seqs().sort((a, b) => a - b)).toEqual(imuSeqs);
      expect(metrics.buses["telemetry"])
        .toEqual({ framesReceived: 5477, framesDecoded: 4846, unknownIds: 631 });
      expect(metrics.streams["gnss"]?.framesFiltered).toBe(4518);
      expect(metrics.streams["imu"]?.framesFiltered).toBe(328);

      const gnss = reader.batches.sort((a, b) => a.seq - b.seq).flatMap((b) => b.records);
      const imu = collector.batches.sort((a, b) => a.seq - b.seq).flatMap((b) => b.records);
      checkAgainstCantools(gnss, dbc.messages.map((m) => [m.name, m.signals.length] as const));
      checkAgainstAsammdf(gnss, imu);
    });
});

/** The 20 frames cantools decoded: the k-th frame of an ID is the k-th group of its samples. */
function checkAgainstCantools(
  gnss: TelemetryRecord[],
  sizes: readonly (readonly [string, number])[],
) {
  const truth = JSON.parse(readFileSync(truthPath("dbc", `${DBC}.decoded.json`), "utf8")) as { frames: TruthFrame[] };
  const candump = readFileSync(truthPath("mf4", `${LOG}.candump`), "utf8").trim().split("\n");
  const size = new Map(sizes);
  const groups = new Map<string, SampleRecord[][]>();
  for (const r of gnss) {
    if (r.type !== "sample") continue;
    const list = groups.get(r.message) ?? [];
    groups.set(r.message, list);
    const last = list.at(-1);
    if (!last || last.length === size.get(r.message)) list.push([r]);
    else last.push(r);
  }
  let compared = 0;
  for (const frame of truth.frames) {
    if (frame.input.id === "009") continue;
    const sameId = candump.filter((l) => l.includes(` ${frame.input.id}#`));
    const k = sameId.indexOf(frame.input.candump_line);
    const group = groups.get(frame.message)?.[k];
    expect(group, `${frame.input.candump_line}`).toBeDefined();
    const got = Object.fromEntries((group ?? []).map((s) => [s.signal, s.value]));
    for (const [name, value] of Object.entries(frame.physical)) {
      expect(got[name], `${frame.message}.${name}`).toBeCloseTo(value, 9);
      compared++;
    }
  }
  expect(compared).toBeGreaterThan(40);
}

/** Over the whole log: min, max, first and last of every signal as asammdf decodes them. */
function checkAgainstAsammdf(gnss: TelemetryRecord[], imu: TelemetryRecord[]) {
  const truth = asammdfTruth();
  const ids = new Map([["gnss_status", 1], ["gnss_time", 2], ["gnss_pos", 3], ["gnss_altitude", 4],
    ["gnss_attitude", 5], ["gnss_odo", 6], ["gnss_speed", 7], ["gnss_geofence", 8], ["gnss_imu", 9]]);
  const bySignal = new Map<string, number[]>();
  for (const r of gnss) {
    if (r.type === "sample") bySignal.set(`${r.message}.${r.signal}`, [...(bySignal.get(`${r.message}.${r.signal}`) ?? []), r.value]);
  }
  let checked = 0;
  for (const [key, values] of bySignal) {
    const [message = "", signal = ""] = key.split(".");
    const t = truth.get(ids.get(message) ?? -1)?.get(signal);
    if (!t) continue;
    expect(values.length).toBe(41);
    const tolerance = Math.max(1e-6, Math.abs(t.max) * 1e-12);
    expect(Math.abs(Math.min(...values) - t.min), key).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(Math.max(...values) - t.max), key).toBeLessThanOrEqual(tolerance);
    expect(Math.abs((values[0] ?? NaN) - t.first), key).toBeLessThanOrEqual(tolerance);
    expect(Math.abs((values.at(-1) ?? NaN) - t.last), key).toBeLessThanOrEqual(tolerance);
    checked++;
  }
  expect(checked).toBeGreaterThan(20);

  const imuTruth = truth.get(9);
  for (const signal of ["AccelerationX", "AccelerationY", "AccelerationZ", "AngularRateX", "AngularRateY", "AngularRateZ"]) {
    const windows = imu.filter((r) => r.type === "window" && r.signal === signal);
    const t = imuTruth?.get(signal);
    expect(t).toBeDefined();
    expect(windows.reduce((n, w) => n + (w.type === "window" ? w.count : 0), 0)).toBe(4518);
    expect(Math.min(...windows.map((w) => (w.type === "window" ? w.min : NaN)))).toBe(t?.min);
    expect(Math.max(...windows.map((w) => (w.type === "window" ? w.max : NaN)))).toBe(t?.max);
    const last = windows.at(-1);
    expect(last?.type === "window" ? last.last : NaN).toBe(t?.last);
  }
  // ImuValid is 1 throughout: on-change keeps its first sample only.
  expect(imu.filter((r) => r.type === "sample" && r.signal === "ImuValid")).toHaveLength(1);
}
