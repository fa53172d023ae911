import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgent } from "../../../agent/createAgent.js";
import { telemetryFromConfig } from "../../../agent/telemetry/telemetryFromConfig.js";
import type { SampleRecord } from "../../../agent/telemetry/TelemetryRecord.js";
import { loadAgentConfig } from "../../../config/loadAgentConfig.js";
import { VirtualBus } from "../../../drivers/can/virtual/VirtualBus.js";
import { startMosquitto, type TestBroker } from "../shadow/service/support/brokers.js";
import { BatchCollector } from "./support/BatchCollector.js";
import { frameOf, SAMPLE_DBC_PATH, sampleDbc } from "./support/sampleDbc.js";

let broker: TestBroker;
let dir: string;
beforeAll(async () => {
  broker = await startMosquitto();
  dir = await mkdtemp(join(tmpdir(), "roadrig-telemetry-config-"));
});
afterAll(async () => {
  await broker.stop();
  await rm(dir, { recursive: true, force: true });
});

/** An agent configuration as an operator writes it: YAML, paths relative to the file. */
const agentYaml = (url: string) => `thing: cfg-car
mqtt: { transport: mqtt, url: "${url}", clientId: cfg-car-shadow }
# No shadow service on this broker: the first shadow GET gives up quickly.
requestTimeoutMs: 300
can: { bus: "virtual:cfg-body" }
dbc: ${JSON.stringify(SAMPLE_DBC_PATH)}
telemetry:
  buses: [virtual:cfg-chassis, virtual:cfg-powertrain]
  identity: { vin: CFGTEST0000000001 }
  streams:
    - name: speed
      priority: 1
      signals: [{ names: [VehicleSpeed, EngineSpeed] }]
      batch: { maxCount: 5, maxAgeMs: 100 }
      sink: broker
      topic: "cfg/{vehicle}/{stream}"
  sinks:
    - { type: mqtt, name: broker, url: "${url}", clientId: cfg-car-telemetry }
  spool: { dir: spool, fsync: never }
`;

describe("telemetry from the agent configuration", () => {
  it("an agent started from a YAML file forwards its buses' frames as batches", async () => {
    const file = join(dir, "agent.yaml");
    await writeFile(file, agentYaml(broker.url));
    const config = await loadAgentConfig(file, {});
    const telemetry = await telemetryFromConfig(config, { metricsIntervalMs: 0 });
    if (telemetry === undefined) throw new Error("no telemetry in the configuration");
    const parts = await createAgent(config, [telemetry.component]);
    const collector = await BatchCollector.start(broker.url, "cfg/#");
    await parts.agent.start();
    try {
      const dbc = sampleDbc();
      const chassis = VirtualBus.endpoint("cfg-chassis", "vehicle");
      const powertrain = VirtualBus.endpoint("cfg-powertrain", "vehicle");
      for (let i = 0; i < 10; i++) {
        chassis.send(frameOf(dbc, "VehicleDynamics", { VehicleSpeed: 10 + i }));
        powertrain.send(frameOf(dbc, "EngineData", { EngineSpeed: 1000 + i * 100 }));
      }
      const samples = () => collector.batches.flatMap((b) => b.records)
        .filter((r): r is SampleRecord => r.type === "sample");
      await collector.until(() => samples().length >= 20);
      expect(collector.batches[0]).toMatchObject({ stream: "speed", vehicle: "CFGTEST0000000001",
        topic: "cfg/CFGTEST0000000001/speed" });
      const speeds = samples().filter((s) => s.signal === "VehicleSpeed");
      expect(speeds.map((s) => s.value)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      expect(new Set(speeds.map((s) => s.bus))).toEqual(new Set(["cfg-chassis"]));
      const engine = samples().filter((s) => s.signal === "EngineSpeed");
      expect(new Set(engine.map((s) => s.bus))).toEqual(new Set(["cfg-powertrain"]));
      expect(engine).toHaveLength(10);
      await Promise.all([chassis.close(), powertrain.close()]);
    } finally {
      await parts.agent.stop();
      await collector.stop();
    }
    expect(telemetry.pipeline.health().state).toBe("stopped");
  });

  it("is absent when the configuration has no telemetry section", async () => {
    const file = join(dir, "plain.yaml");
    await writeFile(file, `thing: t\nmqtt: { transport: mqtt, url: "${broker.url}" }\n`);
    expect(await telemetryFromConfig(await loadAgentConfig(file, {}))).toBeUndefined();
  });
});
