import { compileExpression } from "../../agent/telemetry/compileExpression.js";
import { ExpressionError } from "../../agent/telemetry/ExpressionError.js";
import type { CheckFailure, Schema } from "./Schema.js";
import {
  bool, busSpec, int, list, map, num, obj, oneOf, opt, port, str,
} from "./schemaBuilders.js";
import { isRecord } from "./validate.js";

/** The trigger expression parses; which signals exist is checked against the DBC later. */
function compiles(text: string): CheckFailure | undefined {
  try {
    compileExpression(text, () => 0);
    return undefined;
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return { expected: `${error.expected} at column ${error.position + 1} of the expression`,
      found: error.found, column: error.position };
  }
}

const canId = (doc: string) => int(doc, { max: 0x1fffffff });
const idRuleCommon = {
  action: oneOf("Accept or reject matching frames.", ["accept", "reject"]),
  extended: opt(bool("Match only 29-bit (true) or only 11-bit (false) IDs; both when absent.")),
};

const idRule: Schema = {
  type: "union",
  doc: "An ID rule: a range or an ID under a mask.",
  expected: "a rule with from/to or with id/mask",
  select: (v) => (!isRecord(v) ? undefined : "from" in v ? "range" : "id" in v ? "mask" : undefined),
  variants: {
    range: obj("IDs from `from` to `to`.", { ...idRuleCommon,
      from: canId("First ID of the range."), to: canId("Last ID of the range.") }),
    mask: obj("IDs where `id & mask` equals `value & mask`.", { ...idRuleCommon,
      id: canId("The ID."), mask: canId("Bits of the ID that must match.") }),
  },
};

const signalRule = obj("Which signals a stream keeps and how it thins them (in this order).", {
  names: list("Signal names; `*` matches any run of characters.", str("A name or pattern."),
    { minItems: 1 }),
  minIntervalMs: opt(int("At most one sample per this interval, ms.")),
  onChange: opt(obj("Only samples that differ from the last kept one by more than this.", {
    absolute: opt(num("Absolute deadband.", { min: 0 })),
    relative: opt(num("Relative deadband (0.05 = 5%).", { min: 0 })),
  })),
  everyNth: opt(int("Every Nth sample (the first is kept).", { min: 1 })),
  windowMs: opt(int("Fixed windows (min, max, mean, last) of this length instead of samples.",
    { min: 1 })),
});

const trigger = obj("A condition that captures signals before and after it turns true.", {
  name: str("Name carried by the captured records."),
  when: str("Expression over signal names, e.g. `LongitudinalAccel < -4 && VehicleSpeed > 10`.",
    { check: compiles }),
  risingEdge: bool("Fire when the condition turns true, not while it stays true.",
    { default: true }),
  minIntervalMs: opt(int("Minimum time between two captures, ms.", { defaultDoc: "0" })),
  preMs: int("Signals kept from before the trigger, ms."),
  postMs: int("Signals kept after the trigger, ms."),
  capture: opt(list("Signals captured around the trigger.", str("A signal name."),
    { defaultDoc: "the signals the expression names" })),
});

const stream = obj("One stream of decoded telemetry.", {
  name: str("Stream name (in topics, metrics and batches)."),
  priority: int("Higher goes first and is dropped last."),
  ids: opt(list("ID rules; the first match wins.", idRule,
    { defaultDoc: "every ID" })),
  signals: opt(list("Signal rules.", signalRule)),
  triggers: opt(list("Event captures.", trigger)),
  flagOutOfRange: bool("Flag values outside the DBC's [min|max].", { default: true }),
  batch: opt(obj("When a batch closes.", {
    maxCount: opt(int("Records per batch.", { min: 1, defaultDoc: "500" })),
    maxBytes: opt(int("Encoded bytes per batch (estimated).", { min: 1, defaultDoc: "65536" })),
    maxAgeMs: opt(int("Age of the oldest record before the batch closes, ms.",
      { min: 1, defaultDoc: "1000" })),
  })),
  format: oneOf("Payload format.", ["json", "binary"], { default: "json" }),
  compression: oneOf("Payload compression.", ["none", "gzip"], { default: "none" }),
  sink: str("Name of a sink in `telemetry.sinks`."),
  topic: str("MQTT or Kafka topic; `{vehicle}` and `{stream}` are replaced."),
});

const maxPayloadBytes = (defaultDoc: string) =>
  opt(int("Largest payload the broker takes; batches are split below it.", { min: 1,
    defaultDoc }));

const sink: Schema = {
  type: "union",
  doc: "Where batches go.",
  tag: "type",
  expected: "\"mqtt\", \"kafka\" or \"iot-core\"",
  select: (v) => (isRecord(v) && typeof v.type === "string" ? v.type : undefined),
  variants: {
    mqtt: obj("An MQTT broker through mqtt.js.", {
      type: oneOf("Sink type.", ["mqtt"]),
      name: str("Sink name, referred to by streams."),
      url: str("Broker URL.", { pattern: /^mqtts?:\/\/\S+$/, patternDoc: "mqtt:// or mqtts:// URL" }),
      clientId: opt(str("MQTT client ID.")),
      username: opt(str("MQTT user name.")),
      password: opt(str("MQTT password.", { secret: true })),
      maxPayloadBytes: maxPayloadBytes("268435456"),
    }),
    kafka: obj("A Kafka cluster through librdkafka (idempotence and acks=all are forced).", {
      type: oneOf("Sink type.", ["kafka"]),
      name: str("Sink name, referred to by streams."),
      properties: map("librdkafka properties, e.g. `bootstrap.servers`.", "<property>",
        { type: "scalar", doc: "A librdkafka property value.",
          types: ["string", "number", "boolean"] },
        { secretKeys: /^sasl\.|^ssl\..*(key|password)/ }),
      maxPayloadBytes: maxPayloadBytes("990000"),
    }),
    "iot-core": obj("AWS IoT Core over mutual TLS.", {
      type: oneOf("Sink type.", ["iot-core"]),
      name: str("Sink name, referred to by streams."),
      endpoint: str("The account's IoT data endpoint (…-ats.iot.<region>.amazonaws.com)."),
      port: opt(port("Port.", { defaultDoc: "8883" })),
      clientId: str("MQTT client ID (must differ from the shadow link's)."),
      certPath: str("Client certificate (PEM).", { path: "file" }),
      keyPath: str("Client private key (PEM).", { path: "file", secret: true }),
      caPath: opt(str("CA certificate (PEM); the system's trust store when absent.",
        { path: "file" })),
      maxPayloadBytes: maxPayloadBytes("131072"),
    }),
  },
};

/** The agent's `telemetry` section: AgentTelemetryConfig in config/AgentConfig.ts. */
export const telemetrySchema = obj("Decode, filter and forward CAN telemetry; off when absent.", {
  buses: list("Buses to listen to.", busSpec("A bus."), { minItems: 1 }),
  dbc: opt(str("DBC for decoding.", { path: "file", defaultDoc: "the agent's `dbc`" })),
  streams: list("Streams.", stream, { minItems: 1 }),
  sinks: list("Sinks.", sink, { minItems: 1 }),
  spool: obj("Batches wait here until their sink acknowledges them.", {
    dir: str("Spool folder (created when missing).", { path: "dir" }),
    maxBytes: opt(int("Bytes of pending batches kept at most; lower priorities go first.",
      { min: 1, defaultDoc: "no limit" })),
    segmentBytes: int("Segment size before a new segment starts.",
      { min: 1, default: 4 * 1024 * 1024 }),
    fsync: oneOf("When spooled batches reach the disk.", ["always", "interval", "never"],
      { default: "interval" }),
    fsyncIntervalMs: int("For `interval`, ms.", { min: 1, default: 1000 }),
  }),
  identity: opt(obj("The vehicle's identity sent with each batch.", {
    vin: str("Vehicle identification number."),
    identifiers: opt(map("Other identifiers (imei, iccid).", "<name>", str("Its value."))),
    hashSalt: opt(str("When given, identifiers leave the vehicle as salted SHA-256.",
      { secret: true })),
  })),
  tickMs: int("How often windows close and batch ages are checked, ms.",
    { min: 1, default: 100 }),
  maxSendBytesPerSecond: opt(int("Send rate limit (drain after a reconnect).",
    { min: 1, defaultDoc: "no limit" })),
});
