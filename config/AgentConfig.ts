import type { BodyMap } from "../agent/body/BodyMap.js";
import type { TelemetryConfig } from "../agent/telemetry/TelemetryConfig.js";

/** AWS IoT Core (or any MQTT 5 broker) through aws-iot-device-sdk-v2, over mutual TLS. */
export interface IotCoreMqttConfig {
  readonly transport: "iot-core";
  readonly endpoint: string;
  /** 8883 when absent. */
  readonly port?: number;
  readonly cert: string;
  readonly key: string;
  /** The system's trust store when absent. */
  readonly ca?: string;
  /** The thing name when absent. */
  readonly clientId?: string;
}

/** A plain MQTT 3.1.1 broker through mqtt.js: `mqtt://` or `mqtts://` (with cert and key). */
export interface PlainMqttConfig {
  readonly transport: "mqtt";
  readonly url: string;
  readonly clientId?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
}

export type MqttConfig = IotCoreMqttConfig | PlainMqttConfig;

export interface ReconnectConfig {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

/** What `roadrig agent` also runs when it has no broker of its own to go to. */
export interface EmbeddedConfig {
  /** Loopback port of the in-process broker. */
  readonly port: number;
  /** Where the local shadow service keeps its documents; in memory when absent. */
  readonly stateDir?: string;
  /** A simulated body ECU on the agent's (virtual) bus. */
  readonly simulatedEcu: boolean;
}

export interface AgentConfig {
  readonly thing: string;
  /** A named shadow; the classic shadow when absent. */
  readonly shadowName?: string;
  readonly mqtt: MqttConfig;
  readonly reconnect: ReconnectConfig;
  /** Time a shadow request may wait for its answer. */
  readonly requestTimeoutMs: number;
  readonly can: {
    /** `virtual:<name>` or `socketcan:<interface>`. */
    readonly bus: string;
    /** Channel name on command frames. */
    readonly channel: string;
  };
  /** Path of the vehicle's DBC file. */
  readonly dbc: string;
  readonly body: BodyMap;
  readonly confirmTimeoutMs: number;
  readonly embedded?: EmbeddedConfig;
  /** Decode, filter and forward CAN telemetry; none when absent. */
  readonly telemetry?: AgentTelemetryConfig;
  /** `/healthz`, `/readyz` and `/metrics`; none when absent. */
  readonly health?: ListenConfig;
  /** The vehicle page (and MQTT over WebSockets for it); none when absent. */
  readonly web?: WebConfig;
  /** Time SIGTERM may take to finish reports and close the spool before the agent exits. */
  readonly shutdownTimeoutMs?: number;
  /** Service-manager start-up; loaded files always have it (defaults filled in). */
  readonly service?: { readonly readyTimeoutMs: number };
  /** Overrides the default log level (not an explicit `--log-level`); SIGHUP applies it. */
  readonly logLevel?: string;
}

/** An HTTP listener; `host` is loopback unless configured otherwise. */
export interface ListenConfig {
  readonly host: string;
  readonly port: number;
}

export interface WebConfig extends ListenConfig {
  /** Broker the page connects to (`ws://` or `wss://`); the agent's own `/mqtt` when absent. */
  readonly brokerUrl?: string;
}

/** The telemetry pipeline's configuration, plus the buses it listens to. */
export interface AgentTelemetryConfig extends TelemetryConfig {
  /** `virtual:<name>` or `socketcan:<interface>`; each is named by its interface in metrics. */
  readonly buses: readonly string[];
  /** DBC for decoding; the agent's `dbc` when absent. */
  readonly dbc?: string;
}
