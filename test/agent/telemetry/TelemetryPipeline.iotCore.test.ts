import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultTelemetryConfig } from "../../../agent/telemetry/defaultTelemetryConfig.js";
import { IOT_CORE_MAX_PAYLOAD } from "../../../agent/telemetry/IotCoreSink.js";
import { TelemetryPipeline } from "../../../agent/telemetry/TelemetryPipeline.js";
import { VirtualBus } from "../../../drivers/can/virtual/VirtualBus.js";
import { sampleDriveFrames } from "../../../replay/sample/sampleDriveFrames.js";
import { TlsMosquitto } from "../support/TlsMosquitto.js";
import { BatchCollector } from "./support/BatchCollector.js";
import { sampleDbc } from "./support/sampleDbc.js";

let broker: TlsMosquitto;
let dir: string;
beforeAll(async () => {
  broker = await TlsMosquitto.start();
  dir = mkdtempSync(join(tmpdir(), "roadrig-telemetry-iot-"));
});
afterAll(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("TelemetryPipeline to an IoT Core sink (aws-iot-device-sdk-v2 MQTT5, mutual TLS)", () => {
  it("splits batches under the 128 KB payload limit and delivers every record", async () => {
    const config = defaultTelemetryConfig({ brokerUrl: "mqtt://127.0.0.1:1", stateDir: dir });
    config.sinks = [{
      type: "iot-core", name: "iot", endpoint: "127.0.0.1", port: broker.port,
      clientId: "roadrig-telemetry", certPath: broker.pki.clientCert,
      keyPath: broker.pki.clientKey, caPath: broker.pki.ca,
    }];
    for (const s of config.streams) {
      s.sink = "iot";
      // One batch for the whole drive, far over the limit.
      s.batch = { maxCount: 100_000, maxBytes: 10_000_000, maxAgeMs: 600_000 };
      s.format = "json";
      s.compression = "none";
    }
    const events = config.streams[0];
    events?.signals?.push({ names: ["VehicleSpeed"], everyNth: 10 });
    const collector = await BatchCollector.attach(
      await broker.connect({ clientId: "collector" }), "roadrig/+/telemetry/#");
    const bus = VirtualBus.endpoint("telemetry-iot", "telemetry");
    const pipeline = new TelemetryPipeline({
      buses: bus, dbc: sampleDbc(), config, metricsIntervalMs: 0,
    });
    const spooled: { seq: number; bytes: number; records: number }[] = [];
    pipeline.on("spooled", (e) => spooled.push(e));
    const connected = new Promise<void>((resolve) =>
      pipeline.on("sink", (e) => e.connected && resolve()));
    await pipeline.start();
    await connected;
    const origin = process.hrtime.bigint();
    for (const { timeNs, frame } of sampleDriveFrames({ durationS: 180 })) {
      pipeline.ingest(0, frame, origin + BigInt(timeNs));
    }
    pipeline.flush();
    const records = pipeline.metrics().streams["events"]?.records ?? 0;
    await collector.until(() => spooled.every((s) => collector.seqs().includes(s.seq)));
    await pipeline.stop();
    await bus.close();
    await collector.stop();

    const parts = collector.batches.filter((b) => b.stream === "events");
    expect(parts.length).toBeGreaterThan(1);
    expect(Math.max(...collector.sizes)).toBeLessThanOrEqual(IOT_CORE_MAX_PAYLOAD);
    expect(spooled.reduce((n, s) => n + s.bytes, 0)).toBeGreaterThan(IOT_CORE_MAX_PAYLOAD);
    expect(parts.reduce((n, b) => n + b.records.length, 0)).toBe(records);
    expect(collector.seqs().sort((a, b) => a - b)).toEqual(spooled.map((s) => s.seq));
  });
});
