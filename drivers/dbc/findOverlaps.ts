import type { DbcSignal } from "./DbcSignal.js";
import { signalLayout } from "./SignalLayout.js";

/**
 * Pairs of signals that claim the same payload bit and can be present in one frame (neither
 * multiplexed, or selected by the same multiplexer with intersecting ranges). Real DBCs have
 * them (an alias of a wider signal); decoding is still well-defined, encoding is not.
 */
export function findOverlaps(signals: readonly DbcSignal[]): [string, string][] {
  const masks = signals.map(bitMask);
  const pairs: [string, string][] = [];
  for (let a = 0; a < signals.length; a++) {
    for (let b = a + 1; b < signals.length; b++) {
      const sa = signals[a] as DbcSignal;
      const sb = signals[b] as DbcSignal;
      if (((masks[a] as bigint) & (masks[b] as bigint)) !== 0n && coexist(sa, sb)) {
        pairs.push([sa.name, sb.name]);
      }
    }
  }
  return pairs;
}

function bitMask(signal: DbcSignal): bigint {
  const { bytes, shift } = signalLayout(signal.startBit, signal.length, signal.byteOrder);
  let mask = 0n;
  const field = ((1n << BigInt(signal.length)) - 1n) << BigInt(shift);
  bytes.forEach((index, k) => {
    mask |= ((field >> BigInt(8 * k)) & 0xffn) << BigInt(8 * index);
  });
  return mask;
}

function coexist(a: DbcSignal, b: DbcSignal): boolean {
  const ma = a.multiplexedBy;
  const mb = b.multiplexedBy;
  if (ma === undefined || mb === undefined) return ma === mb;
  if (ma.multiplexer !== mb.multiplexer) return false;
  return ma.ranges.some(([l1, h1]) => mb.ranges.some(([l2, h2]) => l1 <= h2 && l2 <= h1));
}
