import type { SignalPlan } from "./SignalPlan.js";

// Layout of one plan in `PackedPlans.ints`.
export const SLOT = 0;
export const MIN_LENGTH = 1;
export const PARENT = 2;
export const FLAGS = 3;
const COUNT = 4;
const I0 = 5;
const SHIFT = 9;
const MASK = 10;
const UP = 11;
export const STRIDE = 12;

export const FAST = 1;
const SIGNED = 2;
const FULL = 4;
export const SELECTS = 8;

/** A plan that no frame can satisfy (a multiplexing cycle) needs more bytes than any frame. */
const NEVER = 0x7fffffff;

/**
 * The decode plans of one message packed into two typed arrays, in decode order: integers
 * (slot, minimum length, parent, flags, byte indexes, shift, mask) and doubles (factor,
 * offset). On a live bus a message's frames are milliseconds apart and other work evicts the
 * caches between them; a plan object per signal (and its boxed doubles) then costs a cache
 * miss per signal, where the packed plans of a message share a few adjacent lines.
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
    ints[b + SLOT] = plan.slot;
    ints[b + MIN_LENGTH] = plan.minLength === Infinity ? NEVER : plan.minLength;
    ints[b + PARENT] = plan.parent;
    ints[b + FLAGS] = (plan.fast ? FAST : 0) | (f.signed ? SIGNED : 0) | (f.full ? FULL : 0) |
      (plan.selects ? SELECTS : 0);
    ints[b + COUNT] = f.count;
    f.bytes.forEach((byte, j) => (ints[b + I0 + j] = byte));
    ints[b + SHIFT] = f.shift;
    ints[b + MASK] = f.mask;
    ints[b + UP] = f.up;
    scale[2 * k] = plan.factor;
    scale[2 * k + 1] = plan.offset;
  });
  return { ints, scale };
}

/** The raw value of a `FAST` plan at `b`, from a payload of at least its minimum length. */
export function readPacked(p: Int32Array, b: number, d: Uint8Array): number {
  let x = d[p[b + I0] as number] as number;
  const count = p[b + COUNT] as number;
  if (count > 1) x |= (d[p[b + I0 + 1] as number] as number) << 8;
  if (count > 2) x |= (d[p[b + I0 + 2] as number] as number) << 16;
  if (count > 3) x |= (d[p[b + I0 + 3] as number] as number) << 24;
  x >>>= p[b + SHIFT] as number;
  const flags = p[b + FLAGS] as number;
  if ((flags & SIGNED) !== 0) {
    const up = p[b + UP] as number;
    return (x << up) >> up;
  }
  return (flags & FULL) !== 0 ? x >>> 0 : x & (p[b + MASK] as number);
}
