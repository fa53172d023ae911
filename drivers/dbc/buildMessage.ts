import type { AttributeDefinition, AttributeValue } from "./DbcAttribute.js";
import { resolveAttribute } from "./DbcAttribute.js";
import { DbcError } from "./DbcError.js";
import type { DbcMessage, FrameFormat } from "./DbcMessage.js";
import type { DbcSignal, MultiplexCondition, SignalValueType } from "./DbcSignal.js";
import type { ParsedDbc, ParsedMessage, ParsedSignal } from "./ParsedDbc.js";
import { signalKey } from "./ParsedDbc.js";
import { findOverlaps } from "./findOverlaps.js";
import { signalLayout } from "./SignalLayout.js";

/** What building one message needs from the whole file. */
export interface BuildContext {
  file: string;
  strict: boolean;
  parsed: ParsedDbc;
  j1939Network: boolean;
  warnings: string[];
}

const EXTENDED_FLAG = 0x80000000;
const NO_NODE = "Vector__XXX";
const FORMATS_BY_NUMBER: Record<number, FrameFormat> = {
  0: "StandardCAN",
  1: "ExtendedCAN",
  3: "J1939PG",
  14: "StandardCAN_FD",
  15: "ExtendedCAN_FD",
};
const NO_ATTRIBUTES: ReadonlyMap<string, AttributeValue> = new Map();

export function buildMessage(source: ParsedMessage, ctx: BuildContext): DbcMessage {
  const where = `line ${source.line}, BO_ ${source.name}`;
  const { id, extended } = splitId(source, ctx, where);
  const attributes = ctx.parsed.attributes.messages.get(source.rawId) ?? NO_ATTRIBUTES;
  const frameFormat = frameFormatOf(ctx.parsed.attributeDefinitions, attributes, extended);
  const signals = source.signals.map((s, index) => buildSignal(s, index, source, ctx));
  attachMultiplexing(signals, source, ctx, where);
  for (const [a, b] of findOverlaps(signals)) {
    ctx.warnings.push(`${where}: signals ${a} and ${b} share bits`);
  }
  const comment = ctx.parsed.comments.messages.get(source.rawId);
  return {
    name: source.name,
    id,
    extended,
    length: source.length,
    // Only the frame format makes a message FD: a longer length without it is a transport
    // protocol's reassembled payload (J1939 TP, ISO-TP), as in the tools that write DBCs.
    fd: frameFormat.endsWith("_FD"),
    frameFormat,
    j1939: extended && (frameFormat === "J1939PG" || ctx.j1939Network),
    senders: [
      ...new Set([source.sender, ...(ctx.parsed.transmitters.get(source.rawId) ?? [])]),
    ].filter((n) => n !== "" && n !== NO_NODE),
    signals,
    multiplexed: signals.some((s) => s.isMultiplexer || s.multiplexedBy !== undefined),
    ...(comment === undefined ? {} : { comment }),
    attributes,
  };
}

function splitId(
  source: ParsedMessage,
  ctx: BuildContext,
  where: string,
): { id: number; extended: boolean } {
  const extended = source.rawId >= EXTENDED_FLAG;
  const id = extended ? source.rawId - EXTENDED_FLAG : source.rawId;
  if (extended && id > 0x1fffffff) {
    problem(ctx, where, `extended id 0x${id.toString(16)} is wider than 29 bits`);
    return { id: id & 0x1fffffff, extended };
  }
  if (!extended && id > 0x7ff) {
    problem(ctx, where, `standard id 0x${id.toString(16)} is wider than 11 bits`);
    return { id: id & 0x1fffffff, extended: true };
  }
  return { id, extended };
}

/** `VFrameFormat` is an ENUM in most files but an INT in some; both name the same codes. */
function frameFormatOf(
  definitions: ReadonlyMap<string, AttributeDefinition>,
  attributes: ReadonlyMap<string, AttributeValue>,
  extended: boolean,
): FrameFormat {
  const value = resolveAttribute(definitions, attributes, "VFrameFormat");
  const fallback: FrameFormat = extended ? "ExtendedCAN" : "StandardCAN";
  if (typeof value === "number") return FORMATS_BY_NUMBER[value] ?? fallback;
  if (value === undefined) return fallback;
  const byName = Object.values(FORMATS_BY_NUMBER).find((f) => f === value);
  if (byName !== undefined) return byName;
  const index = definitions.get("VFrameFormat")?.values?.indexOf(value) ?? -1;
  return FORMATS_BY_NUMBER[index] ?? fallback;
}

function buildSignal(
  s: ParsedSignal,
  index: number,
  message: ParsedMessage,
  ctx: BuildContext,
): DbcSignal {
  const key = signalKey(message.rawId, s.name);
  const where = `line ${s.line}, SG_ ${s.name} in BO_ ${message.name}`;
  if (s.length < 1 || s.length > 64) {
    throw new DbcError(ctx.file, where, `expected a length of 1 to 64 bits, found ${s.length}`);
  }
  const layout = signalLayout(s.startBit, s.length, s.byteOrder);
  const fitsMessage = layout.minLength <= message.length;
  if (!fitsMessage) {
    problem(ctx, where, `the signal needs ${layout.minLength} bytes but the message has ` +
      `${message.length}`);
  }
  const choices = ctx.parsed.choices.get(key);
  const comment = ctx.parsed.comments.signals.get(key);
  return {
    name: s.name,
    index,
    startBit: s.startBit,
    length: s.length,
    byteOrder: s.byteOrder,
    signed: s.signed,
    valueType: valueTypeOf(ctx.parsed.valueTypes.get(key), s.length, ctx, where),
    factor: s.factor,
    offset: s.offset,
    min: s.min,
    max: s.max,
    unit: s.unit,
    receivers: s.receivers.filter((r) => r !== NO_NODE),
    isMultiplexer: s.isMultiplexer,
    ...(choices === undefined ? {} : { choices }),
    ...(comment === undefined ? {} : { comment }),
    attributes: ctx.parsed.attributes.signals.get(key) ?? NO_ATTRIBUTES,
    fitsMessage,
  };
}

function valueTypeOf(
  code: number | undefined,
  length: number,
  ctx: BuildContext,
  where: string,
): SignalValueType {
  if (code === undefined || code === 0) return "integer";
  const type = code === 1 ? "float32" : code === 2 ? "float64" : undefined;
  const bits = code === 1 ? 32 : 64;
  if (type === undefined || length !== bits) {
    const expected = type === undefined ? "SIG_VALTYPE_ 0, 1 or 2" : `${bits} bits for ${type}`;
    throw new DbcError(ctx.file, where, `expected ${expected}, found ${type ? length : code}`);
  }
  return type;
}

/**
 * Simple multiplexing (`mN` under the message's one `M`) and extended multiplexing
 * (`SG_MUL_VAL_`, with ranges and multiplexers that are multiplexed themselves).
 */
function attachMultiplexing(
  signals: DbcSignal[],
  source: ParsedMessage,
  ctx: BuildContext,
  where: string,
): void {
  const switches = source.signals.filter((s) => s.isMultiplexer && s.multiplexValue === undefined);
  source.signals.forEach((s, i) => {
    const explicit = ctx.parsed.multiplexing.get(signalKey(source.rawId, s.name));
    let condition: MultiplexCondition | undefined = explicit;
    if (condition === undefined && s.multiplexValue !== undefined) {
      if (switches.length !== 1) {
        problem(ctx, where, `expected one multiplexer (M) for ${s.name}, found ${switches.length}`);
      }
      const parent = switches[0];
      if (parent === undefined) return;
      condition = { multiplexer: parent.name, ranges: [[s.multiplexValue, s.multiplexValue]] };
    }
    if (condition === undefined) return;
    const multiplexer = condition.multiplexer;
    if (!signals.some((p) => p.name === multiplexer && p.name !== s.name)) {
      problem(ctx, where, `expected multiplexer ${multiplexer} of ${s.name} in the message`);
      return;
    }
    (signals[i] as DbcSignal).multiplexedBy = condition;
  });
}

/** Strict loading stops at a definition that cannot be right; lenient loading notes it. */
function problem(ctx: BuildContext, where: string, detail: string): void {
  if (ctx.strict) throw new DbcError(ctx.file, where, detail);
  ctx.warnings.push(`${where}: ${detail}`);
}
