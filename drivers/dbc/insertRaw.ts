import type { SignalLayout } from "./SignalLayout.js";

/**
 * Writes a raw value's low `length` bits into `data` where the layout says, leaving the other
 * bits of the touched bytes as they are. Encoding is not on a hot path, so bigint keeps one
 * exact code path for every width.
 */
export function insertRaw(
  data: Uint8Array,
  layout: SignalLayout,
  length: number,
  raw: bigint,
): void {
  const shift = BigInt(layout.shift);
  const field = ((1n << BigInt(length)) - 1n) << shift;
  const value = (BigInt.asUintN(length, raw) << shift) & field;
  layout.bytes.forEach((index, k) => {
    const at = BigInt(8 * k);
    const mask = Number((field >> at) & 0xffn);
    const bits = Number((value >> at) & 0xffn);
    data[index] = ((data[index] ?? 0) & ~mask) | bits;
  });
}
