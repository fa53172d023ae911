import { readFile } from "node:fs/promises";
import type { AgentConfig } from "../../config/AgentConfig.js";
import type { CanBus } from "../../drivers/can/CanBus.js";
import { parseDbc } from "../../drivers/dbc/index.js";
import { openCanBus } from "../body/openCanBus.js";
import type { Component } from "../Component.js";
import { telemetryComponent } from "./telemetryComponent.js";
import { TelemetryPipeline } from "./TelemetryPipeline.js";

export interface ConfiguredTelemetry {
  /** The pipeline as one component; it closes the buses it opened when it stops. */
  readonly component: Component;
  readonly pipeline: TelemetryPipeline;
}

/**
 * The telemetry pipeline a configuration's `telemetry` section describes: its buses opened
 * (each named by its interface: `socketcan:can1` is `can1`), decoding with `telemetry.dbc`, else
 * the agent's DBC. Undefined when the configuration has no telemetry.
 */
export async function telemetryFromConfig(
  config: AgentConfig,
  options: { metricsIntervalMs?: number } = {},
): Promise<ConfiguredTelemetry | undefined> {
  const section = config.telemetry;
  if (section === undefined) return undefined;
  const { buses: specs, dbc: dbcPath = config.dbc, ...telemetry } = section;
  const dbc = parseDbc(await readFile(dbcPath), { file: dbcPath });
  const buses: CanBus[] = [];
  try {
    for (const spec of specs) buses.push(openCanBus(spec, interfaceOf(spec)));
  } catch (error) {
    await Promise.allSettled(buses.map((b) => b.close()));
    throw error;
  }
  const pipeline = new TelemetryPipeline({ buses, dbc, config: telemetry,
    ...options });
  const inner = telemetryComponent(pipeline);
  const closeBuses = async () => {
    await Promise.allSettled(buses.map((b) => b.close()));
  };
  const component: Component = {
    name: inner.name,
    health: () => inner.health(),
    async start() {
      // The agent stops only the components that started: a failed start closes its own.
      await inner.start().catch(async (error: unknown) => {
        await closeBuses();
        throw error;
      });
    },
    async stop() {
      await inner.stop();
      await closeBuses();
    },
  };
  return { component, pipeline };
}

function interfaceOf(spec: string): string {
  return spec.slice(spec.indexOf(":") + 1);
}
