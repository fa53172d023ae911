import { bodyMapSchema } from "./bodyMapSchema.js";
import type { ObjectSchema, Schema } from "./Schema.js";
import {
  bool, busSpec, int, obj, oneOf, opt, port, str,
} from "./schemaBuilders.js";
import { telemetrySchema } from "./telemetrySchema.js";
import { isRecord } from "./validate.js";

const mqtt: Schema = {
  type: "union",
  doc: "The broker that holds the device shadow.",
  tag: "transport",
  expected: "\"iot-core\" or \"mqtt\"",
  select: (v) => (isRecord(v) && typeof v.transport === "string" ? v.transport : undefined),
  variants: {
    "iot-core": obj("AWS IoT Core (or any MQTT 5 broker) over mutual TLS.", {
      transport: oneOf("Transport.", ["iot-core"]),
      endpoint: str("The account's IoT data endpoint (…-ats.iot.<region>.amazonaws.com)."),
      port: opt(port("Port.", { defaultDoc: "8883" })),
      cert: str("Client certificate (PEM).", { path: "file" }),
      key: str("Client private key (PEM).", { path: "file", secret: true }),
      ca: opt(str("CA certificate (PEM); the system's trust store when absent.",
        { path: "file" })),
      clientId: opt(str("MQTT client ID.", { defaultDoc: "the thing name" })),
    }),
    mqtt: obj("A plain MQTT 3.1.1 broker (Mosquitto on a rig).", {
      transport: oneOf("Transport.", ["mqtt"]),
      url: str("Broker URL.", { pattern: /^mqtts?:\/\/\S+$/, patternDoc: "mqtt:// or mqtts:// URL" }),
      clientId: opt(str("MQTT client ID.", { defaultDoc: "the thing name" })),
      cert: opt(str("Client certificate (PEM), for mqtts://.", { path: "file" })),
      key: opt(str("Client private key (PEM), for mqtts://.", { path: "file", secret: true })),
      ca: opt(str("CA certificate (PEM).", { path: "file" })),
    }),
  },
};

const listen = (doc: string, extra: Record<string, Schema> = {}) => opt(obj(doc, {
  host: str("Address to listen on; loopback unless you mean to expose it.",
    { default: "127.0.0.1" }),
  port: port("TCP port."),
  ...extra,
}));

/** The agent configuration file: AgentConfig in config/AgentConfig.ts. */
export const agentSchema: ObjectSchema = obj("The agent configuration.", {
  thing: str("AWS IoT thing name."),
  shadowName: opt(str("A named shadow.", { defaultDoc: "the classic shadow" })),
  mqtt,
  reconnect: obj("Reconnection backoff.", {
    minDelayMs: int("First delay, ms.", { default: 100 }),
    maxDelayMs: int("Largest delay, ms.", { default: 5000 }),
  }, { default: {}, defaultDoc: "the defaults below" }),
  requestTimeoutMs: int("Time a shadow request may wait for its answer, ms.",
    { min: 1, default: 5000 }),
  can: obj("The body's CAN bus.", {
    bus: busSpec("Bus of the body ECU.", { default: "virtual:roadrig-sample" }),
    channel: str("Channel name on command frames.", { default: "can1" }),
  }, { default: {}, defaultDoc: "the defaults below" }),
  dbc: opt(str("The vehicle's DBC file.", { path: "file",
    defaultDoc: "roadrig's sample DBC" })),
  body: bodyMapSchema,
  confirmTimeoutMs: int("Time the body ECU has to confirm a command, ms.",
    { min: 1, default: 3000 }),
  embedded: opt(obj("Also run an in-process broker and shadow service (demo, tests).", {
    port: port("Loopback port of the in-process broker."),
    stateDir: opt(str("Where the shadow documents are kept.", { path: "dir",
      defaultDoc: "in memory" })),
    simulatedEcu: bool("A simulated body ECU on the agent's (virtual) bus.", { default: false }),
  })),
  telemetry: opt(telemetrySchema),
  health: listen("`/healthz`, `/readyz` and `/metrics`; off when absent."),
  web: listen("The vehicle page; off when absent.", {
    brokerUrl: opt(str("Broker the page connects to.", { pattern: /^wss?:\/\/\S+$/,
      patternDoc: "ws:// or wss:// URL", defaultDoc: "the agent's own /mqtt" })),
  }),
  shutdownTimeoutMs: int("Time SIGTERM may take to finish reports and close the spool, ms.",
    { min: 1, default: 10_000 }),
  service: obj("Running under systemd (or another service manager).", {
    readyTimeoutMs: int("Once the buses are open, time READY=1 waits for the broker before "
      + "it is sent anyway (the agent works offline), ms.", { min: 1, default: 30_000 }),
  }, { default: {}, defaultDoc: "the defaults below" }),
  logLevel: opt(oneOf("Log level; SIGHUP applies a change in place.",
    ["trace", "debug", "info", "warn", "error", "fatal", "silent"],
    { defaultDoc: "--log-level, else ROADRIG_LOG_LEVEL, else info" })),
});
