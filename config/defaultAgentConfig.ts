import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AgentConfig } from "./AgentConfig.js";
import { sampleBodyMap } from "./sampleBodyMap.js";

/** The port `roadrig agent` and `roadrig shadow` meet on when neither is configured. */
export const EMBEDDED_PORT = 18830;
export const EMBEDDED_THING = "roadrig-sample";

/**
 * No configuration: the sample vehicle on a virtual bus, a simulated body ECU, and the local
 * shadow service on an in-process broker on loopback.
 */
export function defaultAgentConfig(port = EMBEDDED_PORT): AgentConfig {
  return {
    thing: EMBEDDED_THING,
    mqtt: { transport: "mqtt", url: `mqtt://127.0.0.1:${port}` },
    reconnect: { minDelayMs: 100, maxDelayMs: 5000 },
    requestTimeoutMs: 5000,
    can: { bus: "virtual:roadrig-sample", channel: "can1" },
    dbc: sampleDbcPath(),
    body: sampleBodyMap,
    confirmTimeoutMs: 3000,
    embedded: { port, simulatedEcu: true },
  };
}

/** The DBC sits in config/dbc of the package, beside the sources and above dist/. */
function sampleDbcPath(): string {
  const beside = fileURLToPath(new URL("dbc/roadrig-sample.dbc", import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL("../../config/dbc/roadrig-sample.dbc", import.meta.url));
}
