import type { mqtt5 as Mqtt5 } from "aws-iot-device-sdk-v2";
import type { Sink, SinkListener, SinkMessage } from "./Sink.js";
import { SinkStateEmitter } from "./SinkStateEmitter.js";
import { SinkUnavailableError } from "./SinkUnavailableError.js";
import type { IotCoreSinkConfig } from "./TelemetryConfig.js";

/**
 * AWS IoT Core refuses payloads over 128 KB. Batches are split below 128,000 bytes, which is
 * under the limit whichever kilobyte is meant and leaves room for the topic.
 */
export const IOT_CORE_MAX_PAYLOAD = 128_000;

/**
 * AWS IoT Core through aws-iot-device-sdk-v2's MQTT5 client over mutual TLS: QoS 1, a batch is
 * acknowledged by its PUBACK with a success reason code. The SDK (and its native aws-crt) is
 * loaded on start, so an agent without this sink never loads it. The client reconnects by itself
 * with backoff; sends while it is offline are refused, the spool being the queue.
 */
export class IotCoreSink implements Sink {
  readonly name: string;
  readonly maxPayloadBytes: number;
  private client: Mqtt5.Mqtt5Client | undefined;
  private qos: Mqtt5.QoS | undefined;
  private readonly state = new SinkStateEmitter();

  constructor(private readonly config: IotCoreSinkConfig) {
    this.name = config.name;
    const limit = config.maxPayloadBytes ?? IOT_CORE_MAX_PAYLOAD;
    this.maxPayloadBytes = Math.min(limit, IOT_CORE_MAX_PAYLOAD);
  }

  get connected(): boolean {
    return this.state.connected;
  }

  async start(): Promise<void> {
    const { iot, mqtt5 } = await import("aws-iot-device-sdk-v2");
    const { endpoint, certPath, keyPath, caPath, clientId } = this.config;
    const builder = iot.AwsIotMqtt5ClientConfigBuilder
      .newDirectMqttBuilderWithMtlsFromPath(endpoint, certPath, keyPath)
      .withPort(this.config.port ?? 8883)
      .withConnectProperties({ clientId, keepAliveIntervalSeconds: 30 })
      .withRetryJitterMode(mqtt5.RetryJitterType.Full)
      .withMinReconnectDelayMs(200)
      .withMaxReconnectDelayMs(10_000)
      .withAckTimeoutSeconds(30);
    if (caPath !== undefined) builder.withCertificateAuthorityFromPath(undefined, caPath);
    const client = new mqtt5.Mqtt5Client(builder.build());
    client.on("connectionSuccess", () => this.state.set(true));
    client.on("connectionFailure", (e) => this.state.set(false, asError(e.error)));
    client.on("disconnection", (e) => this.state.set(false, asError(e.error)));
    this.qos = mqtt5.QoS.AtLeastOnce;
    this.client = client;
    client.start();
  }

  async send(message: SinkMessage): Promise<void> {
    const client = this.client;
    if (!client || !this.state.connected || this.qos === undefined) {
      throw new SinkUnavailableError(this.name, "not connected");
    }
    const puback = await client.publish({
      topicName: message.topic,
      payload: Buffer.from(message.payload),
      qos: this.qos,
    });
    // MQTT 5 reason codes from 128 up are refusals: the batch was not accepted.
    const code: number = puback?.reasonCode ?? 0;
    if (code >= 128) throw new Error(`sink ${this.name}: ${message.topic} refused, reason ${code}`);
  }

  onState(listener: SinkListener): () => void {
    return this.state.on(listener);
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    const stopped = new Promise<void>((resolve) => client.once("stopped", () => resolve()));
    client.stop();
    await stopped;
    client.close();
    this.state.set(false);
  }
}

function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  const { message, error_name: name } = (error ?? {}) as { message?: string; error_name?: string };
  return new Error(message ?? name ?? "connection lost");
}
