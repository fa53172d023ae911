import { readFile } from "node:fs/promises";
import type { AgentConfig } from "../../config/AgentConfig.js";
import { parseDbc } from "../../drivers/dbc/parseDbc.js";
import { VirtualBus } from "../../drivers/can/virtual/VirtualBus.js";
import type { Component } from "../Component.js";
import { defaultTelemetryConfig } from "../telemetry/defaultTelemetryConfig.js";
import { telemetryComponent } from "../telemetry/telemetryComponent.js";
import { TelemetryPipeline } from "../telemetry/TelemetryPipeline.js";
import { SimulatedDrive } from "./SimulatedDrive.js";

/** The virtual bus the simulated vehicle drives on; the body ECU has a bus of its own. */
export const SAMPLE_DRIVE_BUS = "roadrig-sample-drive";

export interface EmbeddedTelemetry {
  readonly components: Component[];
  readonly pipeline: TelemetryPipeline;
  readonly drive: SimulatedDrive;
}

/**
 * The embedded default's telemetry: roadrig's sample drive replayed in a loop on a virtual bus,
 * decoded with the sample DBC, filtered into an `events` and a `periodic` stream and published
 * to the embedded broker (`roadrig telemetry watch` shows it). The drive has a bus of its own so
 * that its recorded speed does not trip the body interlock of the shadow demo.
 */
export async function embeddedTelemetry(config: AgentConfig, stateDir: string):
  Promise<EmbeddedTelemetry> {
  if (config.mqtt.transport !== "mqtt") {
    throw new Error("the embedded telemetry publishes to the embedded broker over plain MQTT");
  }
  const dbc = parseDbc(await readFile(config.dbc), { file: config.dbc });
  const pipeline = new TelemetryPipeline({
    buses: VirtualBus.endpoint(SAMPLE_DRIVE_BUS, SAMPLE_DRIVE_BUS),
    dbc,
    config: defaultTelemetryConfig({ brokerUrl: config.mqtt.url, stateDir }),
  });
  const drive = new SimulatedDrive(VirtualBus.endpoint(SAMPLE_DRIVE_BUS, "vehicle"));
  // The pipeline listens before the vehicle starts driving.
  return { components: [telemetryComponent(pipeline), drive], pipeline, drive };
}
