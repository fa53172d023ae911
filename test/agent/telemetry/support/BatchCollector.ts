import mqtt, { type MqttClient } from "mqtt";
import { decodePayload } from "../../../../agent/telemetry/payloadCodec.js";
import type { TelemetryBatch } from "../../../../agent/telemetry/TelemetryBatch.js";
import { Conditions } from "./Conditions.js";

/**
 * An MQTT subscriber that decodes every telemetry payload it receives, and lets a test wait
 * until what arrived satisfies a condition (no sleeps: it resolves on the message that does).
 */
export class BatchCollector {
  readonly batches: (TelemetryBatch & { topic: string })[] = [];
  private readonly conditions = new Conditions(() => `seqs ${this.seqs().join(",")}`);

  private constructor(private readonly client: MqttClient) {
    client.on("message", (topic, payload) => {
      this.batches.push({ ...decodePayload(payload), topic });
      this.sizes.push(payload.length);
      this.conditions.arrived();
    });
  }

  static async start(url: string, topic: string): Promise<BatchCollector> {
    return BatchCollector.attach(await mqtt.connectAsync(url, { reconnectPeriod: 0 }), topic);
  }

  /** Collects with a client the test connected (e.g. with a client certificate). */
  static async attach(client: MqttClient, topic: string): Promise<BatchCollector> {
    await client.subscribeAsync(topic, { qos: 1 });
    return new BatchCollector(client);
  }

  /** Payload sizes as they arrived. */
  readonly sizes: number[] = [];

  /** Resolves once `test` holds; rejects after `ms` with what arrived, for the failure message. */
  until(test: () => boolean, ms = 20_000): Promise<void> {
    return this.conditions.until(test, ms);
  }

  seqs(): number[] {
    return this.batches.map((b) => b.seq);
  }

  async stop(): Promise<void> {
    await this.client.endAsync(true);
  }
}
