import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { once } from "node:events";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultTelemetryConfig } from "../../../agent/telemetry/defaultTelemetryConfig.js";
import { telemetryComponent } from "../../../agent/telemetry/telemetryComponent.js";
import type { TelemetryMetrics } from "../../../agent/telemetry/TelemetryMetrics.js";
import { TelemetryPipeline } from "../../../agent/telemetry/TelemetryPipeline.js";
import { VirtualBus } from "../../../drivers/can/virtual/VirtualBus.js";
import { sampleDbc } from "./support/sampleDbc.js";
import { feedSampleDrive } from "./support/sampleDrive.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-telemetry-component-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("telemetryComponent", () => {
  it("reports a pipeline whose broker is away as running, unhealthy, with its spool", async () => {
    // Nothing listens on port 1: the sink never connects, everything stays spooled.
    const config = defaultTelemetryConfig({ brokerUrl: "mqtt://127.0.0.1:1", stateDir: dir });
    const bus = VirtualBus.endpoint("telemetry-component", "telemetry");
    const pipeline = new TelemetryPipeline({
      buses: bus, dbc: sampleDbc(), config, metricsIntervalMs: 0,
    });
    const component = telemetryComponent(pipeline);
    await component.start();
    feedSampleDrive(pipeline, 30);
    pipeline.flush();
    const health = component.health();
    await component.stop();
    await bus.close();
    expect(component.name).toBe("telemetry");
    expect(health.ok).toBe(false);
    expect(health.details).toMatchObject({ state: "running", "sink.uplink": false });
    const { streams } = pipeline.metrics();
    const spooled = (streams["events"]?.batchesSpooled ?? 0) + (streams["periodic"]?.batchesSpooled ?? 0);
    expect(spooled).toBeGreaterThan(0);
    expect(health.details["spoolBatches"]).toBe(spooled);
    expect(component.health().details["state"]).toBe("stopped");
  });

  it("emits its counters periodically, for the agent's log", async () => {
    const config = defaultTelemetryConfig({ brokerUrl: "mqtt://127.0.0.1:1", stateDir: dir });
    const bus = VirtualBus.endpoint("telemetry-component-3", "telemetry");
    const pipeline = new TelemetryPipeline({
      buses: bus, dbc: sampleDbc(), config, metricsIntervalMs: 20,
    });
    await pipeline.start();
    const frames = feedSampleDrive(pipeline, 5);
    const [metrics] = (await once(pipeline, "metrics")) as [TelemetryMetrics];
    await pipeline.stop();
    await bus.close();
    expect(metrics).toMatchObject({
      buses: { telemetry: { framesReceived: frames, framesDecoded: frames, unknownIds: 0 } },
      sinks: { uplink: { connected: false } },
    });
  });

  it("refuses a configuration whose stream names an unknown sink or a bad expression", () => {
    const config = defaultTelemetryConfig({ brokerUrl: "mqtt://127.0.0.1:1", stateDir: dir });
    const bus = VirtualBus.endpoint("telemetry-component-2", "telemetry");
    const make = () => new TelemetryPipeline({ buses: bus, dbc: sampleDbc(), config });
    config.streams[0]!.sink = "nowhere";
    expect(make).toThrow(/stream events: expected a configured sink, found nowhere/);
    config.streams[0]!.sink = "uplink";
    config.streams[0]!.triggers![0]!.when = "LongitudinalAccel < -3.5 &&";
    expect(make).toThrow(/at 27: expected a number, a signal or \(, found the end/);
    void bus.close();
  });
});
