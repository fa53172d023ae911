import type { EventEmitter } from "node:events";

export interface MqttLinkEvents {
  /** A connection is up; without a session present, the broker forgot the subscriptions. */
  connect: [sessionPresent: boolean];
  disconnect: [reason: string];
  message: [topic: string, payload: Buffer];
}

/**
 * The agent's MQTT connection whatever the client library: it reconnects by itself, with
 * backoff and jitter, and keeps a persistent session. Every publish and subscribe is QoS 1.
 * `publishAsync`, `subscribeAsync` and the `message` event match mqtt.js's, so ShadowClient
 * runs on either.
 */
export interface MqttLink extends EventEmitter<MqttLinkEvents> {
  readonly connected: boolean;
  /** Starts connecting, and keeps reconnecting until stopped; `connect` says when it is up. */
  start(): Promise<void>;
  stop(): Promise<void>;
  publishAsync(topic: string, payload: string, options: { qos: 1 }): Promise<unknown>;
  subscribeAsync(filters: string[], options: { qos: 1 }): Promise<unknown>;
}
