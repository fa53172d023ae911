import { compileExtractor, type RawExtractor } from "./compileExtractor.js";
import type { DbcSignal } from "./DbcSignal.js";
import { signalLayout } from "./SignalLayout.js";

/**
 * Everything the decode loop needs of one signal, precomputed at load. Every plan is the same
 * class, so the loop's property reads and the `read` call stay monomorphic and inlinable; only
 * signals outside the 32-bit fast path go through a per-signal closure.
 */
export class SignalPlan {
  readonly extract: RawExtractor;
  readonly minLength: number;
  readonly factor: number;
  readonly offset: number;
  /** Integer within four bytes (and under 32 bits unless byte-aligned): read with `read`. */
  readonly fast: boolean;
  private readonly count: number;
  private readonly i0: number;
  private readonly i1: number;
  private readonly i2: number;
  private readonly i3: number;
  private readonly shift: number;
  private readonly mask: number;
  private readonly up: number;
  private readonly signed: boolean;
  private readonly full: boolean;

  constructor(
    signal: DbcSignal,
    decidable: boolean,
    /** Slot of the signal in outputs (`signal.index`). */
    readonly slot: number,
    /** Slot of the multiplexer signal, or -1. */
    readonly parent: number,
    /** Inclusive ranges of the multiplexer's raw value, flattened [low, high, low, high...]. */
    readonly ranges: readonly number[],
    /** Another signal's multiplexer: its presence and raw value must be kept while decoding. */
    readonly selects: boolean,
  ) {
    this.factor = signal.factor;
    this.offset = signal.offset;
    const layout = signalLayout(signal.startBit, signal.length, signal.byteOrder);
    const { bytes, shift } = layout;
    this.extract = compileExtractor(layout, signal.length, signal.signed, signal.valueType);
    // A multiplexing cycle cannot be decided: such a signal needs more bytes than any frame.
    this.minLength = decidable ? layout.minLength : Infinity;
    this.fast = signal.valueType === "integer" && bytes.length <= 4 &&
      (signal.length < 32 || shift === 0);
    this.count = bytes.length;
    [this.i0 = 0, this.i1 = 0, this.i2 = 0, this.i3 = 0] = bytes;
    this.shift = shift;
    this.mask = signal.length >= 32 ? -1 : (1 << signal.length) - 1;
    this.up = 32 - Math.min(signal.length, 32);
    this.signed = signal.signed;
    this.full = signal.length === 32;
  }

  /** The fields of the fast path, for packing. */
  fields(): {
    count: number; bytes: number[]; shift: number; mask: number; up: number; signed: boolean;
    full: boolean;
  } {
    const bytes = [this.i0, this.i1, this.i2, this.i3].slice(0, this.count);
    const { count, shift, mask, up, signed, full } = this;
    return { count, bytes, shift, mask, up, signed, full };
  }

  /** The raw value of a `fast` signal, from a payload of at least `minLength` bytes. */
  read(d: Uint8Array): number {
    let x: number;
    switch (this.count) {
      case 1:
        x = d[this.i0] as number;
        break;
      case 2:
        x = (d[this.i0] as number) | ((d[this.i1] as number) << 8);
        break;
      case 3:
        x = (d[this.i0] as number) | ((d[this.i1] as number) << 8) |
          ((d[this.i2] as number) << 16);
        break;
      default:
        x = (d[this.i0] as number) | ((d[this.i1] as number) << 8) |
          ((d[this.i2] as number) << 16) | ((d[this.i3] as number) << 24);
    }
    x >>>= this.shift;
    if (this.signed) return (x << this.up) >> this.up;
    return this.full ? x >>> 0 : x & this.mask;
  }
}
