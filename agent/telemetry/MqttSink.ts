import mqtt, { type MqttClient } from "mqtt";
import type { Sink, SinkListener, SinkMessage } from "./Sink.js";
import { SinkStateEmitter } from "./SinkStateEmitter.js";
import { SinkUnavailableError } from "./SinkUnavailableError.js";
import type { MqttSinkConfig } from "./TelemetryConfig.js";

/** A PUBACK that takes longer than this is treated as lost; the batch is sent again later. */
const ACK_TIMEOUT_MS = 15_000;

/**
 * Any MQTT broker through MQTT.js: QoS 1, a batch is acknowledged by its PUBACK. The client
 * reconnects by itself; sends while disconnected are refused at once rather than queued in the
 * client, because the spool is the queue (MQTT.js's offline queue would live in memory only).
 */
export class MqttSink implements Sink {
  readonly name: string;
  readonly maxPayloadBytes: number;
  private client: MqttClient | undefined;
  private readonly state = new SinkStateEmitter();

  constructor(private readonly config: MqttSinkConfig) {
    this.name = config.name;
    this.maxPayloadBytes = config.maxPayloadBytes ?? 256 * 1024 * 1024;
  }

  get connected(): boolean {
    return this.state.connected;
  }

  start(): Promise<void> {
    const client = mqtt.connect(this.config.url, {
      ...(this.config.clientId !== undefined ? { clientId: this.config.clientId } : {}),
      ...(this.config.username !== undefined ? { username: this.config.username } : {}),
      ...(this.config.password !== undefined ? { password: this.config.password } : {}),
      reconnectPeriod: 500,
      connectTimeout: 5000,
      queueQoSZero: false,
    });
    client.on("connect", () => this.state.set(true));
    client.on("close", () => this.state.set(false));
    client.on("error", (error) => this.state.set(client.connected, error));
    this.client = client;
    return Promise.resolve();
  }

  send(message: SinkMessage): Promise<void> {
    const client = this.client;
    if (!client?.connected) {
      return Promise.reject(new SinkUnavailableError(this.name, "not connected"));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sink ${this.name}: no PUBACK`)), ACK_TIMEOUT_MS);
      client.publish(message.topic, Buffer.from(message.payload), { qos: 1 }, (error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      });
    });
  }

  onState(listener: SinkListener): () => void {
    return this.state.on(listener);
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true);
    this.state.set(false);
  }
}
