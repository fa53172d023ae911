import type { SignalValueType } from "./DbcSignal.js";
import type { SignalLayout } from "./SignalLayout.js";

/**
 * Reads one signal's raw value from a payload that holds at least `layout.minLength` bytes.
 * Integers come back as numbers while they are exact (|raw| < 2^53), as bigints beyond.
 */
export type RawExtractor = (data: Uint8Array) => number | bigint;

const MAX_NUMBER_BYTES = 6; // 48 bits plus a shift stay below 2^53 in a double
const scratch = new ArrayBuffer(8);
const scratchU32 = new Uint32Array(scratch, 0, 1);
const scratchF32 = new Float32Array(scratch, 0, 1);
const scratchU64 = new BigUint64Array(scratch);
const scratchF64 = new Float64Array(scratch);

/**
 * Builds the extractor once per signal at load time. Signals within four bytes (nearly all)
 * get a closure of 32-bit integer operations with the byte indexes captured as constants;
 * up to six bytes use exact double arithmetic; wider signals go through bigint.
 */
export function compileExtractor(
  layout: SignalLayout,
  length: number,
  signed: boolean,
  valueType: SignalValueType,
): RawExtractor {
  switch (valueType) {
    case "float32": {
      const bits = compileInteger(layout, 32, false);
      return (data) => {
        scratchU32[0] = bits(data) as number;
        return scratchF32[0] as number;
      };
    }
    case "float64": {
      const bits = bigintExtractor(layout, 64, false);
      return (data) => {
        scratchU64[0] = bits(data);
        return scratchF64[0] as number;
      };
    }
    case "integer":
      return compileInteger(layout, length, signed);
  }
}

function compileInteger(layout: SignalLayout, length: number, signed: boolean): RawExtractor {
  const { bytes, shift } = layout;
  if (bytes.length <= 4 && (length < 32 || shift === 0)) {
    return bitwiseExtractor(bytes, shift, length, signed);
  }
  if (bytes.length <= MAX_NUMBER_BYTES) return doubleExtractor(bytes, shift, length, signed);
  const wide = bigintExtractor(layout, length, signed);
  return (data) => narrow(wide(data));
}

function bitwiseExtractor(
  bytes: readonly number[],
  shift: number,
  length: number,
  signed: boolean,
): RawExtractor {
  const [i0 = 0, i1 = 0, i2 = 0, i3 = 0] = bytes;
  const up = 32 - length;
  const mask = length === 32 ? -1 : (1 << length) - 1;
  // One closure per byte count keeps each one free of loops and branches on the hot path.
  const gather: (d: Uint8Array) => number = [
    (d: Uint8Array) => (d[i0] as number) >>> shift,
    (d: Uint8Array) => ((d[i0] as number) | ((d[i1] as number) << 8)) >>> shift,
    (d: Uint8Array) =>
      ((d[i0] as number) | ((d[i1] as number) << 8) | ((d[i2] as number) << 16)) >>> shift,
    (d: Uint8Array) =>
      ((d[i0] as number) |
        ((d[i1] as number) << 8) |
        ((d[i2] as number) << 16) |
        ((d[i3] as number) << 24)) >>>
      shift,
  ][bytes.length - 1] as (d: Uint8Array) => number;
  if (signed) return (d) => (gather(d) << up) >> up;
  if (length === 32) return (d) => gather(d) >>> 0;
  return (d) => gather(d) & mask;
}

function doubleExtractor(
  bytes: readonly number[],
  shift: number,
  length: number,
  signed: boolean,
): RawExtractor {
  const divisor = 2 ** shift;
  const modulus = 2 ** length;
  const half = modulus / 2;
  const count = bytes.length;
  return (data) => {
    let x = 0;
    for (let k = count - 1; k >= 0; k--) x = x * 256 + (data[bytes[k] as number] as number);
    const v = Math.floor(x / divisor) % modulus;
    return signed && v >= half ? v - modulus : v;
  };
}

function bigintExtractor(
  layout: SignalLayout,
  length: number,
  signed: boolean,
): (data: Uint8Array) => bigint {
  const { bytes, shift } = layout;
  const bigShift = BigInt(shift);
  const bigLength = BigInt(length);
  const mask = (1n << bigLength) - 1n;
  return (data) => {
    let x = 0n;
    for (let k = bytes.length - 1; k >= 0; k--) {
      x = (x << 8n) | BigInt(data[bytes[k] as number] as number);
    }
    const v = (x >> bigShift) & mask;
    return signed ? BigInt.asIntN(length, v) : v;
  };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** The rule for raw integers: a number whenever it is exact, a bigint only beyond 2^53. */
export function narrow(value: bigint): number | bigint {
  return value <= MAX_SAFE && value >= MIN_SAFE ? Number(value) : value;
}
