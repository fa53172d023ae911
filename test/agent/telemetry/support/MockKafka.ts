import Kafka from "node-rdkafka";
import { decodePayload } from "../../../../agent/telemetry/payloadCodec.js";
import type { TelemetryBatch } from "../../../../agent/telemetry/TelemetryBatch.js";
import { Conditions } from "./Conditions.js";

/**
 * librdkafka's mock cluster, a Kafka-protocol broker on loopback. A client configured with
 * `test.mock.num.brokers` starts it in-process and owns it; its brokers listen on real
 * 127.0.0.1 ports, which the cluster's metadata names, so other clients (the pipeline's
 * producer, a reading consumer, a child process) reach it through `bootstrap.servers`.
 */
export class MockKafka {
  private constructor(
    private readonly owner: Kafka.Producer,
    readonly bootstrapServers: string,
  ) {}

  static async start(): Promise<MockKafka> {
    const config = { "test.mock.num.brokers": 1 } as Kafka.ProducerGlobalConfig;
    const owner = new Kafka.Producer(config);
    const metadata = await new Promise<Kafka.Metadata>((resolve, reject) => {
      owner.connect({}, (error, data) => {
        if (error) reject(new Error(error.message));
        else resolve(data);
      });
    });
    const servers = metadata.brokers.map((b) => `${b.host}:${b.port}`).join(",");
    if (!servers.startsWith("127.0.0.1:")) throw new Error(`mock brokers on ${servers}`);
    return new MockKafka(owner, servers);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.owner.disconnect(() => resolve()));
  }
}

/** A consumer that reads a topic from the start and decodes each telemetry payload. */
export class KafkaReader {
  readonly batches: (TelemetryBatch & { key: string; partition: number })[] = [];
  private readonly conditions = new Conditions(() => `seqs ${this.seqs().join(",")}`);

  private constructor(private readonly consumer: Kafka.KafkaConsumer) {
    consumer.on("data", (m) => {
      this.batches.push({
        ...decodePayload(m.value ?? Buffer.alloc(0)),
        key: m.key?.toString() ?? "",
        partition: m.partition,
      });
      this.conditions.arrived();
    });
  }

  static async start(bootstrapServers: string, topic: string): Promise<KafkaReader> {
    const consumer = new Kafka.KafkaConsumer({
      "bootstrap.servers": bootstrapServers,
      "group.id": `reader-${topic}-${process.pid}-${Date.now()}`,
      "enable.auto.commit": false,
      "topic.metadata.refresh.interval.ms": 200,
    }, { "auto.offset.reset": "earliest" });
    await new Promise<void>((resolve, reject) => {
      consumer.connect({}, (error) => (error ? reject(new Error(error.message)) : resolve()));
    });
    // Assigning every partition from the beginning skips the group join, seconds on each start.
    const metadata = await new Promise<Kafka.Metadata>((resolve, reject) => {
      consumer.getMetadata({ topic, timeout: 5000 }, (error, data) =>
        (error ? reject(new Error(error.message)) : resolve(data)));
    });
    const partitions = metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
    if (partitions.length === 0) throw new Error(`topic ${topic} has no partitions`);
    consumer.assign(partitions.map((p) => ({ topic, partition: p.id, offset: -2 })));
    consumer.consume();
    return new KafkaReader(consumer);
  }

  seqs(): number[] {
    return this.batches.map((b) => b.seq);
  }

  until(test: () => boolean, ms = 30_000): Promise<void> {
    return this.conditions.until(test, ms);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.consumer.disconnect(() => resolve()));
  }
}
