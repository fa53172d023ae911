/** One payload for a sink: a spooled batch addressed to a topic. */
export interface SinkMessage {
  topic: string;
  /** Partitioning key (Kafka): the vehicle, so one vehicle's batches stay in order. */
  key: string;
  payload: Uint8Array;
  seq: number;
}

export type SinkListener = (connected: boolean, error?: Error) => void;

/**
 * Where batches go upstream. `send` resolves only when the far end has acknowledged the
 * payload (MQTT PUBACK, Kafka delivery report), and rejects when it will not be; the spool
 * keeps the batch until then.
 */
export interface Sink {
  readonly name: string;
  /** Largest payload the far end accepts; bigger batches are split before spooling. */
  readonly maxPayloadBytes: number;
  readonly connected: boolean;
  start(): Promise<void>;
  send(message: SinkMessage): Promise<void>;
  /** Called on connect and disconnect; returns a function that removes the listener. */
  onState(listener: SinkListener): () => void;
  stop(): Promise<void>;
}
