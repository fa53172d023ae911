import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultTelemetryConfig } from "../../../agent/telemetry/defaultTelemetryConfig.js";
import type { TelemetryConfig } from "../../../agent/telemetry/TelemetryConfig.js";
import { TelemetryPipeline } from "../../../agent/telemetry/TelemetryPipeline.js";
import { VirtualBus } from "../../../drivers/can/virtual/VirtualBus.js";
import { sampleDriveFrames } from "../../../replay/sample/sampleDriveFrames.js";
import { KafkaReader, MockKafka } from "./support/MockKafka.js";
import { sampleDbc } from "./support/sampleDbc.js";

const dbc = sampleDbc();
let kafka: MockKafka;
const dirs: string[] = [];

beforeAll(async () => {
  kafka = await MockKafka.start();
});
afterAll(async () => {
  await kafka.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function kafkaConfig(topic: string): TelemetryConfig {
  const dir = mkdtempSync(join(tmpdir(), "roadrig-telemetry-kafka-"));
  dirs.push(dir);
  const config = defaultTelemetryConfig({ brokerUrl: "mqtt://127.0.0.1:1", stateDir: dir });
  config.sinks = [{
    type: "kafka", name: "kafka", properties: { "bootstrap.servers": kafka.bootstrapServers },
  }];
  for (const s of config.streams) {
    s.sink = "kafka";
    s.topic = topic;
    s.batch = { maxCount: 50, maxAgeMs: 60_000 };
  }
  return config;
}

describe("TelemetryPipeline to Kafka (librdkafka's mock cluster)", () => {
  it("delivers exactly the spooled batches, keyed by vehicle, acknowledged by delivery reports",
    async () => {
      const config = kafkaConfig("telemetry-1");
      const bus = VirtualBus.endpoint("telemetry-kafka-1", "telemetry");
      const pipeline = new TelemetryPipeline({ buses: bus, dbc, config, metricsIntervalMs: 0 });
      const spooled: number[] = [];
      const sent: { seq: number; latencyMs: number }[] = [];
      pipeline.on("spooled", (e) => spooled.push(e.seq));
      let allSent: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (allSent = resolve));
      pipeline.on("sent", (e) => {
        sent.push(e);
        if (spooled.length > 0 && spooled.every((s) => sent.some((x) => x.seq === s))) allSent();
      });
      const ready = new Promise<void>((resolve) =>
        pipeline.on("sink", (e) => e.connected && resolve()));
      await pipeline.start();
      await ready;
      const origin = process.hrtime.bigint();
      for (const { timeNs, frame } of sampleDriveFrames({ durationS: 60 })) {
        pipeline.ingest(0, frame, origin + BigInt(timeNs));
      }
      pipeline.flush();
      await done;
      const reader = await KafkaReader.start(kafka.bootstrapServers, "telemetry-1");
      await reader.until(() => reader.batches.length >= spooled.length);
      const metrics = pipeline.metrics();
      await pipeline.stop();
      await bus.close();
      await reader.stop();

      expect(reader.seqs().sort((a, b) => a - b)).toEqual(spooled);
      const vehicles = new Set(reader.batches.map((b) => b.vehicle));
      expect(vehicles.size).toBe(1);
      expect(reader.batches.every((b) => b.key === b.vehicle)).toBe(true);
      // One key, one partition: the vehicle's batches stay in order.
      expect(new Set(reader.batches.map((b) => b.partition)).size).toBe(1);
      expect(metrics.streams["events"]?.batchesSent).toBe(
        reader.batches.filter((b) => b.stream === "events").length);
      expect(sent.every((s) => s.latencyMs > 0)).toBe(true);
    });

  it("keeps batches spooled while the cluster cannot be reached, and sends them once it can",
    async () => {
      const config = kafkaConfig("telemetry-2");
      const sink = config.sinks[0];
      // A port nothing listens on: librdkafka connects, fails and retries; nothing is acknowledged.
      if (sink?.type === "kafka") {
        sink.properties = { "bootstrap.servers": "127.0.0.1:9" };
      }
      const bus = VirtualBus.endpoint("telemetry-kafka-2", "telemetry");
      const first = new TelemetryPipeline({ buses: bus, dbc, config, metricsIntervalMs: 0 });
      const spooled: number[] = [];
      first.on("spooled", (e) => spooled.push(e.seq));
      const refused = new Promise<void>((resolve) =>
        first.on("sink", (e) => e.error && resolve()));
      await first.start();
      const origin = process.hrtime.bigint();
      for (const { timeNs, frame } of sampleDriveFrames({ durationS: 20 })) {
        first.ingest(0, frame, origin + BigInt(timeNs));
      }
      first.flush();
      await refused;
      expect(first.health().sinks["kafka"]?.connected).toBe(false);
      expect(first.health().spool.batches).toBe(spooled.length);
      await first.stop(0);
      expect(spooled.length).toBeGreaterThan(0);

      // The same spool, now with the cluster reachable.
      if (sink?.type === "kafka") sink.properties = { "bootstrap.servers": kafka.bootstrapServers };
      const second = new TelemetryPipeline({ buses: bus, dbc, config, metricsIntervalMs: 0 });
      const sent = new Set<number>();
      const drained = new Promise<void>((resolve) => second.on("sent", (e) => {
        sent.add(e.seq);
        if (spooled.every((s) => sent.has(s))) resolve();
      }));
      await second.start();
      await drained;
      expect(second.health().spool.batches).toBe(0);
      await second.stop();
      await bus.close();
      const reader = await KafkaReader.start(kafka.bootstrapServers, "telemetry-2");
      await reader.until(() => new Set(reader.seqs()).size >= spooled.length);
      await reader.stop();
      expect([...new Set(reader.seqs())].sort((a, b) => a - b)).toEqual(spooled);
    });
});
