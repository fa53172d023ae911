import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { connect } from "mqtt";
import type { IClientOptions, MqttClient } from "mqtt";
import type { PlainMqttConfig, ReconnectConfig } from "../../config/AgentConfig.js";
import { backoffDelay } from "./backoffDelay.js";
import type { MqttLink, MqttLinkEvents } from "./MqttLink.js";

/**
 * MQTT 3.1.1 through mqtt.js, for rigs with only a local broker. mqtt.js reconnects at a fixed
 * period; this link reconnects itself instead, with backoff and jitter.
 */
export class MqttJsLink extends EventEmitter<MqttLinkEvents> implements MqttLink {
  readonly #options: IClientOptions;
  readonly #url: string;
  readonly #reconnect: ReconnectConfig;
  #client: MqttClient | undefined;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #lastError = "";

  constructor(config: PlainMqttConfig, clientId: string, reconnect: ReconnectConfig) {
    super();
    this.#url = config.url;
    this.#reconnect = reconnect;
    this.#options = {
      clientId,
      // A persistent session: the broker keeps subscriptions and QoS 1 messages while offline.
      clean: false,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
      protocolVersion: 4,
      ...(config.cert === undefined ? {} : { cert: readFileSync(config.cert) }),
      ...(config.key === undefined ? {} : { key: readFileSync(config.key) }),
      ...(config.ca === undefined ? {} : { ca: readFileSync(config.ca) }),
    };
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  start(): Promise<void> {
    const client = connect(this.#url, this.#options);
    this.#client = client;
    client.on("connect", (connack) => {
      // Nagle's algorithm with delayed ACKs costs ~45 ms per request and answer on loopback.
      (client.stream as Partial<Socket>).setNoDelay?.(true);
      this.#attempt = 0;
      this.emit("connect", connack.sessionPresent);
    });
    client.on("message", (topic, payload) => this.emit("message", topic, payload));
    client.on("error", (error) => (this.#lastError = error.message));
    client.on("close", () => this.#onClose());
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    await this.#client?.endAsync(true);
  }

  async publishAsync(topic: string, payload: string, options: { qos: 1 }): Promise<unknown> {
    return this.#live().publishAsync(topic, payload, options);
  }

  async subscribeAsync(filters: string[], options: { qos: 1 }): Promise<unknown> {
    return this.#live().subscribeAsync(filters, options);
  }

  #live(): MqttClient {
    if (this.#client === undefined) throw new Error(`${this.#url}: not started`);
    return this.#client;
  }

  #onClose(): void {
    if (this.#stopping || this.#timer !== undefined) return;
    this.emit("disconnect", this.#lastError || "connection closed");
    const delay = backoffDelay(this.#attempt++, this.#reconnect.minDelayMs,
      this.#reconnect.maxDelayMs);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopping) this.#client?.reconnect();
    }, delay);
  }
}
