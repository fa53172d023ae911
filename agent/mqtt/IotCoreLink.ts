import { EventEmitter } from "node:events";
import type * as Sdk from "aws-iot-device-sdk-v2";
import type { mqtt5 as Mqtt5 } from "aws-iot-device-sdk-v2";
import type { IotCoreMqttConfig, ReconnectConfig } from "../../config/AgentConfig.js";
import type { MqttLink, MqttLinkEvents } from "./MqttLink.js";

/** The broker keeps the session (subscriptions, QoS 1 messages) this long while offline. */
const SESSION_EXPIRY_S = 3600;

/**
 * AWS IoT Core (or any MQTT 5 broker) through aws-iot-device-sdk-v2's MQTT5 client over mutual
 * TLS: the client reconnects with exponential backoff and full jitter and rejoins its session.
 * The SDK is loaded on first use, so that its native module costs nothing when unused.
 */
export class IotCoreLink extends EventEmitter<MqttLinkEvents> implements MqttLink {
  #client: Mqtt5.Mqtt5Client | undefined;
  #sdk: typeof Sdk | undefined;
  #connected = false;

  constructor(
    private readonly config: IotCoreMqttConfig,
    private readonly clientId: string,
    private readonly reconnect: ReconnectConfig,
  ) {
    super();
  }

  get connected(): boolean {
    return this.#connected;
  }

  async start(): Promise<void> {
    const sdk = (this.#sdk = await import("aws-iot-device-sdk-v2"));
    const { iot, mqtt5 } = sdk;
    const builder = iot.AwsIotMqtt5ClientConfigBuilder
      .newDirectMqttBuilderWithMtlsFromPath(this.config.endpoint, this.config.cert,
        this.config.key)
      .withPort(this.config.port ?? 8883)
      .withConnectProperties({
        clientId: this.clientId,
        keepAliveIntervalSeconds: 30,
        sessionExpiryIntervalSeconds: SESSION_EXPIRY_S,
      })
      .withSessionBehavior(mqtt5.ClientSessionBehavior.RejoinAlways)
      .withRetryJitterMode(mqtt5.RetryJitterType.Full)
      .withMinReconnectDelayMs(this.reconnect.minDelayMs)
      .withMaxReconnectDelayMs(this.reconnect.maxDelayMs)
      .withAckTimeoutSeconds(30);
    const { ca } = this.config;
    if (ca !== undefined) builder.withCertificateAuthorityFromPath(undefined, ca);
    const client = new mqtt5.Mqtt5Client(builder.build());
    this.#client = client;

    client.on("connectionSuccess", (event) => {
      this.#connected = true;
      this.emit("connect", event.connack.sessionPresent);
    });
    client.on("connectionFailure", (event) => this.emit("disconnect", describe(event.error)));
    client.on("disconnection", (event) => {
      this.#connected = false;
      this.emit("disconnect", describe(event.error));
    });
    client.on("messageReceived", (event) => {
      const { topicName, payload } = event.message;
      this.emit("message", topicName, toBuffer(payload));
    });
    client.start();
  }

  async stop(): Promise<void> {
    const client = this.#client;
    if (client === undefined) return;
    const stopped = new Promise<void>((resolve) => client.once("stopped", () => resolve()));
    client.stop();
    await stopped;
    this.#connected = false;
    client.close();
    this.#client = undefined;
  }

  async publishAsync(topic: string, payload: string, _options: { qos: 1 }): Promise<unknown> {
    const result = await this.#live().publish({
      topicName: topic,
      payload,
      qos: this.#sdk!.mqtt5.QoS.AtLeastOnce,
    });
    const code: number = result?.reasonCode ?? 0;
    // MQTT 5 reason codes from 128 up are failures; a refused publish is not delivered.
    if (code >= 128) throw new Error(`${topic}: publish refused with reason code ${code}`);
    return result;
  }

  async subscribeAsync(filters: string[], _options: { qos: 1 }): Promise<unknown> {
    const qos = this.#sdk!.mqtt5.QoS.AtLeastOnce;
    const suback = await this.#live().subscribe({
      subscriptions: filters.map((topicFilter) => ({ topicFilter, qos })),
    });
    const refused = suback.reasonCodes.findIndex((code: number) => code >= 128);
    if (refused >= 0) {
      throw new Error(`${filters[refused]}: subscribe refused with reason code ` +
        `${suback.reasonCodes[refused]}`);
    }
    return suback;
  }

  #live(): Mqtt5.Mqtt5Client {
    if (this.#client === undefined) throw new Error(`${this.config.endpoint}: not started`);
    return this.#client;
  }
}

function toBuffer(payload: unknown): Buffer {
  if (payload === undefined || payload === null) return Buffer.alloc(0);
  if (payload instanceof ArrayBuffer) return Buffer.from(payload);
  if (ArrayBuffer.isView(payload)) {
    return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  }
  return Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload), "utf8");
}

function describe(error: unknown): string {
  const { message, error_name: name } = (error ?? {}) as { message?: string; error_name?: string };
  return message ?? name ?? "connection lost";
}
