import type { Sink, SinkListener, SinkMessage } from "../../agent/telemetry/Sink.js";
import { decodePayload } from "../../agent/telemetry/payloadCodec.js";
import type { SampleRecord } from "../../agent/telemetry/TelemetryRecord.js";

/** An in-process sink that acknowledges every batch and keeps its sample records. */
export class CollectingSink implements Sink {
  readonly name = "collect";
  readonly maxPayloadBytes = 1 << 20;
  readonly connected = true;
  readonly samples: SampleRecord[] = [];
  private waiter: { count: number; resolve: () => void } | undefined;

  start(): Promise<void> {
    return Promise.resolve();
  }

  send(message: SinkMessage): Promise<void> {
    for (const record of decodePayload(message.payload).records) {
      if (record.type === "sample") this.samples.push(record);
    }
    if (this.waiter && this.samples.length >= this.waiter.count) this.waiter.resolve();
    return Promise.resolve();
  }

  /** Resolves once `count` samples have arrived. */
  received(count: number): Promise<void> {
    if (this.samples.length >= count) return Promise.resolve();
    return new Promise((resolve) => (this.waiter = { count, resolve }));
  }

  onState(listener: SinkListener): () => void {
    listener(true);
    return () => undefined;
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
