import { join } from "node:path";
import type { TelemetryConfig } from "./TelemetryConfig.js";

export interface DefaultTelemetryOptions {
  /** The embedded broker, e.g. `mqtt://127.0.0.1:1883`. */
  brokerUrl: string;
  /** The agent's state folder; the spool goes in `telemetry-spool` under it. */
  stateDir: string;
  vin?: string;
  /** Hash identifiers before they leave; off by default so `telemetry watch` shows the VIN. */
  hashSalt?: string;
}

/** A made-up VIN for the sample drive (17 characters, no I, O or Q, as real ones). */
export const SAMPLE_VIN = "1RRSAMPLE0R000001";

/**
 * The embedded default for roadrig's sample drive and config/dbc/roadrig-sample.dbc: an
 * `events` stream (door, trunk and lock changes; harsh braking with two seconds before and
 * three after) at high priority, and a `periodic` stream (speed and engine speed as one-second
 * windows, state of charge every ten seconds) at low priority, both to one MQTT broker.
 */
export function defaultTelemetryConfig(options: DefaultTelemetryOptions): TelemetryConfig {
  return {
    identity: {
      vin: options.vin ?? SAMPLE_VIN,
      ...(options.hashSalt !== undefined ? { hashSalt: options.hashSalt } : {}),
    },
    streams: [
      {
        name: "events",
        priority: 10,
        // BodyStatus, VehicleDynamics, Pedals.
        ids: [0x3a0, 0x0d0, 0x1b0].map((id) => ({ action: "accept" as const, from: id, to: id })),
        signals: [{ names: ["Door*", "Trunk", "Locked"], onChange: {} }],
        triggers: [{
          name: "harsh-braking",
          when: "LongitudinalAccel < -3.5 && VehicleSpeed > 5",
          minIntervalMs: 10_000,
          preMs: 2000,
          postMs: 3000,
          capture: ["LongitudinalAccel", "VehicleSpeed", "BrakePedal"],
        }],
        batch: { maxCount: 100, maxAgeMs: 200 },
        format: "json",
        sink: "uplink",
        topic: "roadrig/{vehicle}/telemetry/events",
      },
      {
        name: "periodic",
        priority: 1,
        signals: [
          { names: ["VehicleSpeed", "EngineSpeed"], windowMs: 1000 },
          { names: ["StateOfCharge"], minIntervalMs: 10_000 },
        ],
        batch: { maxCount: 500, maxAgeMs: 5000 },
        format: "binary",
        compression: "gzip",
        sink: "uplink",
        topic: "roadrig/{vehicle}/telemetry/periodic",
      },
    ],
    sinks: [{ type: "mqtt", name: "uplink", url: options.brokerUrl, clientId: "roadrig-telemetry" }],
    spool: { dir: join(options.stateDir, "telemetry-spool"), maxBytes: 64 * 1024 * 1024 },
  };
}
