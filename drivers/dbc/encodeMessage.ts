import { DbcError } from "./DbcError.js";
import type { DbcMessage } from "./DbcMessage.js";
import type { DbcSignal } from "./DbcSignal.js";
import { insertRaw } from "./insertRaw.js";
import { signalLayout } from "./SignalLayout.js";

/** A physical value, a bigint for raw integers beyond 2^53 (factor 1, offset 0), or a label. */
export type SignalInput = number | bigint | string;

const floatView = new DataView(new ArrayBuffer(8));

/**
 * Builds a payload of the message's length. Every signal the multiplexers select must be
 * given and no other: a value for an unknown or unselected signal is refused rather than
 * silently dropped, and values outside the signal's range or bit width are refused.
 */
export function encodeMessage(
  message: DbcMessage,
  values: Readonly<Record<string, SignalInput>>,
  file: string,
): Uint8Array {
  const where = `BO_ ${message.name}`;
  const fail = (detail: string): never => {
    throw new DbcError(file, where, detail);
  };
  const byName = new Map(message.signals.map((s) => [s.name, s]));
  const unknown = Object.keys(values).filter((name) => !byName.has(name));
  if (unknown.length > 0) fail(`expected signals of ${message.name}, found ${unknown.join(", ")}`);

  const raws = new Map<string, bigint>();
  for (const [name, input] of Object.entries(values)) {
    raws.set(name, toRaw(byName.get(name) as DbcSignal, input, fail));
  }
  const selected = message.signals.filter((s) => isSelected(s, byName, raws));
  const missing = selected.filter((s) => !raws.has(s.name)).map((s) => s.name);
  if (missing.length > 0) fail(`expected values for ${missing.join(", ")}, found none`);
  const extra = [...raws.keys()].filter((n) => !selected.some((s) => s.name === n));
  if (extra.length > 0) fail(`expected no value for ${extra.join(", ")} (not selected)`);

  const data = new Uint8Array(message.length);
  for (const signal of selected) {
    if (!signal.fitsMessage) fail(`expected ${signal.name} to fit the message`);
    const layout = signalLayout(signal.startBit, signal.length, signal.byteOrder);
    insertRaw(data, layout, signal.length, raws.get(signal.name) as bigint);
  }
  return data;
}

function isSelected(
  signal: DbcSignal,
  byName: ReadonlyMap<string, DbcSignal>,
  raws: ReadonlyMap<string, bigint>,
  depth = 0,
): boolean {
  const mux = signal.multiplexedBy;
  if (mux === undefined) return true;
  const parent = byName.get(mux.multiplexer);
  const raw = raws.get(mux.multiplexer);
  if (parent === undefined || raw === undefined || depth > byName.size) return false;
  const value = Number(raw);
  return (
    mux.ranges.some(([low, high]) => value >= low && value <= high) &&
    isSelected(parent, byName, raws, depth + 1)
  );
}

function toRaw(signal: DbcSignal, input: SignalInput, fail: (d: string) => never): bigint {
  if (typeof input === "string") {
    for (const [raw, label] of signal.choices ?? []) if (label === input) return BigInt(raw);
    return fail(`expected a value or a label of ${signal.name}, found "${input}"`);
  }
  if (typeof input === "bigint") {
    if (signal.factor !== 1 || signal.offset !== 0 || signal.valueType !== "integer") {
      return toRaw(signal, Number(input), fail);
    }
    return checkWidth(signal, input, fail);
  }
  if (!Number.isFinite(input) && signal.valueType === "integer") {
    return fail(`expected a finite value for ${signal.name}, found ${input}`);
  }
  const hasRange = signal.min !== 0 || signal.max !== 0;
  if (hasRange && (input < signal.min || input > signal.max)) {
    fail(`expected ${signal.name} in [${signal.min}, ${signal.max}], found ${input}`);
  }
  const scaled = (input - signal.offset) / signal.factor;
  switch (signal.valueType) {
    case "float32":
      floatView.setFloat32(0, scaled);
      return BigInt(floatView.getUint32(0));
    case "float64":
      floatView.setFloat64(0, scaled);
      return floatView.getBigUint64(0);
    case "integer":
      return checkWidth(signal, BigInt(Math.round(scaled)), fail);
  }
}

function checkWidth(signal: DbcSignal, raw: bigint, fail: (d: string) => never): bigint {
  const bits = BigInt(signal.length);
  const low = signal.signed ? -(1n << (bits - 1n)) : 0n;
  const high = signal.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (raw < low || raw > high) {
    fail(`expected raw ${signal.name} in [${low}, ${high}] (${signal.length} bits), found ${raw}`);
  }
  return raw;
}
