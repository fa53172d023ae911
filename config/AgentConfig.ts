import type { BodyMap } from "../agent/body/BodyMap.js";

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
}
