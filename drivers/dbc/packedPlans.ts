import type { SignalPlan } from "./SignalPlan.js";

// One plan is four int32 words:
// 0: slot (bits 0-15), parent + 1 (bits 16-31, 0 for none);
// 1: minimum length (bits 0-7), flags (8-15), byte count (16-23), shift (24-31);
// 2: the byte indexes, one per byte (a CAN FD payload has 64 bytes at most);
// 3: the mask of an unsigned signal, or the sign-extension shift of a signed one.
export const STRIDE = 4;

export const FAST = 1;
const SIGNED = 2;
const FULL = 4;
export const SELECTS = 8;

/** A plan that no frame can satisfy (a multiplexing cycle) needs more bytes than any frame. */
const NEVER = 0xff;

/**
 * The decode plans of one message packed into two typed arrays, in decode order: 16 bytes
 * of integers (slot, minimum length, parent, flags, byte indexes, shift, mask) and the factor
 * and offset as doubles. On a live bus a message's frames are milliseconds apart and other
 * work evicts the caches between them; a plan object per signal (and its boxed doubles) then
 * costs a cache miss per signal, where the packed plans of a message share a few lines.
 */
export interface PackedPlans {
  ints: Int32Array;
  scale: Float64Array;
}

export function packPlans(plans: readonly SignalPlan[]): PackedPlans {
  const ints = new Int32Array(plans.length * STRIDE);
  const scale = new Float64Array(plans.length * 2);
  plans.forEach((plan, k) => {
    const b = k * STRIDE;
    const f = plan.fields();
    const flags = (plan.fast ? FAST : 0) | (f.signed ? SIGNED : 0) | (f.full ? FULL : 0) |
      (plan.selects ? SELECTS : 0);
    const minLength = plan.minLength === Infinity ? NEVER : plan.minLength;
    ints[b] = (plan.slot & 0xffff) | ((plan.parent + 1) << 16);
    ints[b + 1] = minLength | (flags << 8) | (f.count << 16) | (f.shift << 24);
    ints[b + 2] = f.bytes.reduce((word, byte, j) => word | (byte << (8 * j)), 0);
    ints[b + 3] = f.signed ? f.up : f.mask;
    scale[2 * k] = plan.factor;
    scale[2 * k + 1] = plan.offset;
  });
  return { ints, scale };
}

/** The output slot of the plan at `b`. */
export function slotOf(p: Int32Array, b: number): number {
  return (p[b] as number) & 0xffff;
}

/** The slot of the plan's multiplexer, or -1. */
export function parentOf(p: Int32Array, b: number): number {
  return ((p[b] as number) >>> 16) - 1;
}

export function minLengthOf(p: Int32Array, b: number): number {
  return (p[b + 1] as number) & 0xff;
}

export function flagsOf(p: Int32Array, b: number): number {
  return ((p[b + 1] as number) >>> 8) & 0xff;
}

/** The raw value of a `FAST` plan at `b`, from a payload of at least its minimum length. */
export function readPacked(p: Int32Array, b: number, d: Uint8Array): number {
  const w1 = p[b + 1] as number;
  const at = p[b + 2] as number;
  const count = (w1 >>> 16) & 0xff;
  let x = d[at & 0xff] as number;
  if (count > 1) x |= (d[(at >>> 8) & 0xff] as number) << 8;
  if (count > 2) x |= (d[(at >>> 16) & 0xff] as number) << 16;
  if (count > 3) x |= (d[at >>> 24] as number) << 24;
  x >>>= w1 >>> 24;
  const flags = (w1 >>> 8) & 0xff;
  const w3 = p[b + 3] as number;
  if ((flags & SIGNED) !== 0) return (x << w3) >> w3;
  return (flags & FULL) !== 0 ? x >>> 0 : x & w3;
}
