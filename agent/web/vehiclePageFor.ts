import type { AgentConfig, WebConfig } from "../../config/AgentConfig.js";
import type { AgentParts } from "../createAgent.js";
import { pageSettings } from "./PageSettings.js";
import { VehiclePageServer } from "./VehiclePageServer.js";

/** The page's port on the embedded default: beside the broker (18830), before health (18832). */
export const WEB_PORT = 18831;

export interface VehiclePage {
  /** One of the agent's components (pass it to `createAgent` among the extra ones). */
  readonly server: VehiclePageServer;
  /** Ties the page to the embedded broker and the simulated ECU, once the agent is built. */
  attach(parts: Pick<AgentParts, "broker" | "ecu">): void;
}

/**
 * The vehicle page a configuration asks for: its `web` settings, or on the embedded default
 * 127.0.0.1:18831, which gives way (the agent runs without it) when the port is taken. `port`
 * (the `--web-port` flag) overrides either. None for a configured agent without `web`.
 */
export function vehiclePageFor(config: AgentConfig, port?: number): VehiclePage | undefined {
  const web: WebConfig | undefined = config.web ??
    (config.embedded === undefined ? undefined : { host: "127.0.0.1", port: WEB_PORT });
  if (web === undefined) return undefined;
  if (config.embedded === undefined && web.brokerUrl === undefined) {
    throw new Error("web.brokerUrl: expected the broker's ws:// or wss:// URL, found none " +
      "(only the embedded broker serves MQTT on the page's own port)");
  }
  const server = new VehiclePageServer({
    host: web.host,
    port: port ?? web.port,
    optional: config.web === undefined && port === undefined,
    settings: pageSettings({
      thing: config.thing,
      ...(config.shadowName === undefined ? {} : { shadowName: config.shadowName }),
      ...(web.brokerUrl === undefined ? {} : { brokerUrl: web.brokerUrl }),
      body: config.body,
      simulator: config.embedded?.simulatedEcu === true,
    }),
  });
  const attach = ({ broker, ecu }: Pick<AgentParts, "broker" | "ecu">): void => server.attach({
    // A page pointed at another broker gets no `/mqtt` here, so that it never talks to two.
    ...(broker === undefined || web.brokerUrl !== undefined ? {} : { broker }),
    ...(ecu === undefined ? {} : { simulator: { vehicle: ecu, map: config.body } }),
  });
  return { server, attach };
}
