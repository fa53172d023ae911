/**
 * The telemetry pipeline's configuration: what each stream keeps of the decoded bus traffic,
 * how it batches it, and where it goes. Plain data, so that a configuration file maps onto it.
 */
export interface TelemetryConfig {
  streams: StreamConfig[];
  sinks: SinkConfig[];
  spool: SpoolConfig;
  identity?: IdentityConfig;
  /** How often windows close and batch ages are checked, ms; default 100. */
  tickMs?: number;
  /** Bytes per second the dispatcher sends at most (drain after a reconnect); default none. */
  maxSendBytesPerSecond?: number;
}

/** One ID rule: a range `[from, to]` or `id & mask === value & mask`. */
export type IdRule =
  | { action: "accept" | "reject"; from: number; to: number; extended?: boolean }
  | { action: "accept" | "reject"; id: number; mask: number; extended?: boolean };

export interface StreamConfig {
  name: string;
  /** Higher goes first and is dropped last. */
  priority: number;
  /** First matching rule wins; no match accepts when no rule accepts anything, else rejects. */
  ids?: IdRule[];
  signals?: SignalRule[];
  triggers?: TriggerConfig[];
  /** Flag values outside the DBC's `[min|max]`; default true. */
  flagOutOfRange?: boolean;
  batch?: BatchLimits;
  format?: PayloadFormat;
  compression?: Compression;
  /** Name of a sink in `sinks`. */
  sink: string;
  /** MQTT topic or Kafka topic; `{vehicle}` and `{stream}` are replaced. */
  topic: string;
}

/** Which signals a stream keeps, and how it thins them. Filters apply in the order listed. */
export interface SignalRule {
  /** Signal names; `*` matches any run of characters. */
  names: string[];
  /** At most one sample per this interval, ms. */
  minIntervalMs?: number;
  /** Only samples that differ from the last kept one by more than the deadband. */
  onChange?: { absolute?: number; relative?: number };
  /** Every Nth sample (the first is kept). */
  everyNth?: number;
  /** Fixed windows instead of samples: min, max, mean, last per window. */
  windowMs?: number;
}

export interface TriggerConfig {
  name: string;
  /** An expression over signal names, e.g. `LongitudinalAccel < -4 && VehicleSpeed > 10`. */
  when: string;
  /** Fire only when the condition turns true, not while it stays true; default true. */
  risingEdge?: boolean;
  /** Minimum time between two captures, ms. */
  minIntervalMs?: number;
  preMs: number;
  postMs: number;
  /** Signals captured around the trigger; default the ones the expression names. */
  capture?: string[];
}

export interface BatchLimits {
  /** Records per batch; default 500. */
  maxCount?: number;
  /** Encoded bytes per batch (estimate before compression); default 64 KiB. */
  maxBytes?: number;
  /** Age of the oldest record before the batch closes, ms; default 1000. */
  maxAgeMs?: number;
}

export type PayloadFormat = "json" | "binary";
export type Compression = "none" | "gzip";

export type SinkConfig = MqttSinkConfig | KafkaSinkConfig | IotCoreSinkConfig;

export interface MqttSinkConfig {
  type: "mqtt";
  name: string;
  url: string;
  clientId?: string;
  username?: string;
  password?: string;
  /** Largest payload the broker takes; batches are split below it. Default 256 MiB. */
  maxPayloadBytes?: number;
}

export interface KafkaSinkConfig {
  type: "kafka";
  name: string;
  /** librdkafka properties, e.g. `bootstrap.servers`; idempotence and acks=all are forced. */
  properties: Record<string, string | number | boolean>;
  maxPayloadBytes?: number;
}

export interface IotCoreSinkConfig {
  type: "iot-core";
  name: string;
  endpoint: string;
  port?: number;
  clientId: string;
  certPath: string;
  keyPath: string;
  caPath?: string;
  /** AWS IoT Core's limit is 128 KB. */
  maxPayloadBytes?: number;
}

/** When spooled batches reach the disk. */
export type FsyncPolicy = "always" | "interval" | "never";

export interface SpoolConfig {
  dir: string;
  /** Bytes of pending batches kept at most; lower priorities are evicted first. */
  maxBytes?: number;
  /** Segment size before a new segment starts; default 4 MiB. */
  segmentBytes?: number;
  fsync?: FsyncPolicy;
  /** For `interval`, ms; default 1000. */
  fsyncIntervalMs?: number;
}

export interface IdentityConfig {
  vin: string;
  /** Other identifiers sent with each batch (e.g. `imei`, `iccid`). */
  identifiers?: Record<string, string>;
  /** When given, every identifier leaves the vehicle as a salted SHA-256, never in clear. */
  hashSalt?: string;
}
