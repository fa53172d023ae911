import type { ByteOrder } from "./DbcSignal.js";

/**
 * Where a signal's bits sit in the payload, in one form for both byte orders: the bytes that
 * hold it, least significant first, and the shift of its LSB inside the first of them. The
 * signal is then `(bytes as one little-endian integer) >> shift`, cut to its length.
 */
export interface SignalLayout {
  bytes: readonly number[];
  shift: number;
  /** Payload length needed to hold every bit of the signal. */
  minLength: number;
}

export function signalLayout(startBit: number, length: number, order: ByteOrder): SignalLayout {
  if (order === "little_endian") {
    const first = startBit >> 3;
    const last = (startBit + length - 1) >> 3;
    return { bytes: range(first, last), shift: startBit & 7, minLength: last + 1 };
  }
  // Motorola: the start bit names the MSB in sawtooth numbering (bit 7 of byte 0 is 7, bit 0 of
  // byte 1 is 8). In "big-endian linear" numbering (byte 0 bit 7 = 0) the signal is contiguous.
  const msbLinear = (startBit & ~7) + (7 - (startBit & 7));
  const lsbLinear = msbLinear + length - 1;
  const msbByte = msbLinear >> 3;
  const lsbByte = lsbLinear >> 3;
  return {
    bytes: range(msbByte, lsbByte).reverse(),
    shift: 7 - (lsbLinear & 7),
    minLength: lsbByte + 1,
  };
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
