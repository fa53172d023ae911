import Kafka from "node-rdkafka";
import type { Sink, SinkListener, SinkMessage } from "./Sink.js";
import { SinkStateEmitter } from "./SinkStateEmitter.js";
import { SinkUnavailableError } from "./SinkUnavailableError.js";
import type { KafkaSinkConfig } from "./TelemetryConfig.js";

const CONNECT_TIMEOUT_MS = 5000;
const RECONNECT_MS = 1000;
const POLL_MS = 1;

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Kafka through node-rdkafka (librdkafka). The producer is idempotent with acks=all, so
 * librdkafka's own retries never duplicate or reorder within a partition; the key is the
 * vehicle, so one vehicle's batches keep their order. A batch is acknowledged by its delivery
 * report; a failed report (e.g. `message.timeout.ms` passed while the cluster was away) hands
 * the batch back to the spool.
 */
export class KafkaSink implements Sink {
  readonly name: string;
  readonly maxPayloadBytes: number;
  private producer: Kafka.Producer | undefined;
  private readonly state = new SinkStateEmitter();
  private readonly pending = new Map<number, Pending>();
  private nextOpaque = 1;
  private stopped = false;
  private poller: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly config: KafkaSinkConfig) {
    this.name = config.name;
    // librdkafka's message.max.bytes default is 1,000,000; the record needs a little room.
    this.maxPayloadBytes = config.maxPayloadBytes ?? 990_000;
  }

  get connected(): boolean {
    return this.state.connected;
  }

  /** Connects in the background: a cluster that is away at start is retried, not an error. */
  start(): Promise<void> {
    this.stopped = false;
    this.connect();
    return Promise.resolve();
  }

  send(message: SinkMessage): Promise<void> {
    const producer = this.producer;
    if (!producer || !this.state.connected) {
      return Promise.reject(new SinkUnavailableError(this.name, "producer not ready"));
    }
    const opaque = this.nextOpaque++;
    return new Promise((resolve, reject) => {
      this.pending.set(opaque, { resolve, reject });
      this.polling(producer);
      try {
        // librdkafka copies the value on produce (RK_MSG_COPY): a view of the payload will do.
        const p = message.payload;
        const value = Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
        producer.produce(message.topic, null, value, message.key, Date.now(), opaque);
      } catch (error) {
        this.pending.delete(opaque);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  onState(listener: SinkListener): () => void {
    return this.state.on(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const producer = this.producer;
    this.producer = undefined;
    // A producer whose connect failed is already torn down; flush and disconnect would throw.
    if (producer?.isConnected()) {
      await new Promise<void>((resolve) => producer.flush(2000, () => resolve()));
      await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
    }
    for (const p of this.pending.values()) p.reject(new SinkUnavailableError(this.name, "stopped"));
    this.pending.clear();
    if (this.poller !== undefined) clearInterval(this.poller);
    this.poller = undefined;
    this.state.set(false);
  }

  private connect(): void {
    const producer = new Kafka.Producer({
      "linger.ms": 0,
      "message.timeout.ms": 30_000,
      ...this.config.properties,
      "enable.idempotence": true,
      "request.required.acks": -1,
      dr_cb: true,
    } as Kafka.ProducerGlobalConfig);
    producer.on("delivery-report", (error, report) =>
      this.settle(report.opaque as number, error ? kafkaError(error) : undefined));
    producer.on("ready", () => this.state.set(true));
    producer.on("disconnected", () => this.state.set(false));
    producer.on("event.error", (error) => this.state.set(this.state.connected, kafkaError(error)));
    this.producer = producer;
    producer.connect({ timeout: CONNECT_TIMEOUT_MS }, (error) => {
      if (!error) return;
      this.state.set(false, kafkaError(error));
      if (this.stopped) return;
      this.retry = setTimeout(() => this.connect(), RECONNECT_MS);
    });
  }

  /**
   * Delivery reports arrive only when the producer is polled. A standing 5 ms poll cost an idle
   * agent about 2 % of a core; polling every 1 ms only while a delivery is awaited costs next
   * to nothing when idle and keeps the report's wait near the broker's round trip.
   */
  private polling(producer: Kafka.Producer): void {
    if (this.pending.size > 0 && this.poller === undefined) {
      this.poller = setInterval(() => {
        try {
          producer.poll();
        } catch {
          // A producer that lost its connection throws here; its 'disconnected' event reports it.
        }
      }, POLL_MS);
    } else if (this.pending.size === 0 && this.poller !== undefined) {
      clearInterval(this.poller);
      this.poller = undefined;
    }
  }

  private settle(opaque: number, error: Error | undefined): void {
    const p = this.pending.get(opaque);
    if (!p) return;
    this.pending.delete(opaque);
    if (this.producer) this.polling(this.producer);
    if (error) p.reject(error);
    else p.resolve();
  }
}

/** librdkafka's errors are plain objects with a message and a numeric code. */
function kafkaError(error: Kafka.LibrdKafkaError): Error {
  return Object.assign(new Error(error.message), { code: error.code });
}
