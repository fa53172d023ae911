import type { DbcMessage } from "./DbcMessage.js";
import type { DbcSignal } from "./DbcSignal.js";
import type { DecodedSignal } from "./DecodedMessage.js";
import { encodeMessage, type SignalInput } from "./encodeMessage.js";
import {
  FAST, flagsOf, minLengthOf, packPlans, parentOf, readPacked, SELECTS, slotOf, STRIDE,
  type PackedPlans,
} from "./packedPlans.js";
import { SignalPlan } from "./SignalPlan.js";

/**
 * One message compiled for decoding: a precomputed extractor per signal, visited in an order
 * where each multiplexer comes before the signals it selects.
 */
export class MessageCodec {
  /** In decode order: each multiplexer before the signals it selects. */
  private readonly plans: SignalPlan[];
  /** The same plans packed for `decodeInto`. */
  private readonly packed: PackedPlans;
  private readonly present: Uint8Array;
  private readonly raws: Float64Array;

  constructor(
    readonly message: DbcMessage,
    private readonly file: string,
  ) {
    const signals = message.signals;
    const { order, cyclic } = decodeOrder(signals);
    const parents = new Set(signals.map((s) => s.multiplexedBy?.multiplexer));
    this.plans = [...order, ...cyclic].map((i) => {
      const signal = signals[i] as DbcSignal;
      return planOf(signal, signals, !cyclic.includes(i), parents.has(signal.name));
    });
    this.packed = packPlans(this.plans);
    this.present = new Uint8Array(signals.length);
    this.raws = new Float64Array(signals.length);
  }

  /**
   * Writes each signal's physical value to `out[signal.index]`, NaN for a signal the frame does
   * not carry (another multiplexer branch, or a frame too short). No allocation.
   */
  decodeInto(data: Uint8Array, out: Float64Array): void {
    const { plans, present, raws } = this;
    const { ints, scale } = this.packed;
    const length = data.length;
    for (let k = 0, b = 0; k < plans.length; k++, b += STRIDE) {
      const i = slotOf(ints, b);
      const flags = flagsOf(ints, b);
      const parent = parentOf(ints, b);
      if (length < minLengthOf(ints, b) ||
        (parent >= 0 && !this.selected(plans[k] as SignalPlan))) {
        if ((flags & SELECTS) !== 0) present[i] = 0;
        out[i] = NaN;
        continue;
      }
      let r: number;
      if ((flags & FAST) !== 0) {
        r = readPacked(ints, b, data);
      } else {
        const raw = (plans[k] as SignalPlan).extract(data);
        r = typeof raw === "number" ? raw : Number(raw);
      }
      if ((flags & SELECTS) !== 0) {
        present[i] = 1;
        raws[i] = r;
      }
      out[i] = r * (scale[2 * k] as number) + (scale[2 * k + 1] as number);
    }
  }

  /** The signals the frame carries, in file order, with raw and physical values and labels. */
  decodeSignals(data: Uint8Array): DecodedSignal[] {
    const { plans, present, raws } = this;
    const decoded: DecodedSignal[] = [];
    for (const plan of plans) {
      const i = plan.slot;
      const signal = this.message.signals[i] as DbcSignal;
      present[i] = 0;
      if (data.length < plan.minLength || (plan.parent >= 0 && !this.selected(plan))) continue;
      const raw = plan.extract(data);
      present[i] = 1;
      raws[i] = Number(raw);
      decoded.push(decodedSignal(signal, raw));
    }
    // Multiplexers were decoded first; callers expect the file's order.
    if (this.message.multiplexed) decoded.sort((a, b) => a.signal.index - b.signal.index);
    return decoded;
  }

  encode(values: Readonly<Record<string, SignalInput>>): Uint8Array {
    return encodeMessage(this.message, values, this.file);
  }

  private selected(plan: SignalPlan): boolean {
    if (this.present[plan.parent] === 0) return false;
    const value = this.raws[plan.parent] as number;
    const ranges = plan.ranges;
    for (let r = 0; r < ranges.length; r += 2) {
      if (value >= (ranges[r] as number) && value <= (ranges[r + 1] as number)) return true;
    }
    return false;
  }
}

function planOf(
  signal: DbcSignal,
  signals: readonly DbcSignal[],
  decidable: boolean,
  selects: boolean,
): SignalPlan {
  const mux = signal.multiplexedBy;
  const parent = mux === undefined ? -1 : signals.findIndex((s) => s.name === mux.multiplexer);
  const ranges = mux?.ranges.flat() ?? [];
  return new SignalPlan(signal, decidable, signal.index, parent, ranges, selects);
}

/** Multiplexers before what they select; signals caught in a cycle are set apart. */
function decodeOrder(signals: readonly DbcSignal[]): { order: number[]; cyclic: number[] } {
  const order: number[] = [];
  const placed = new Set<string>();
  let pending = signals.map((s) => s.index);
  while (pending.length > 0) {
    const ready = pending.filter((i) => {
      const mux = (signals[i] as DbcSignal).multiplexedBy;
      return mux === undefined || placed.has(mux.multiplexer);
    });
    if (ready.length === 0) return { order, cyclic: pending };
    for (const i of ready) {
      order.push(i);
      placed.add((signals[i] as DbcSignal).name);
    }
    pending = pending.filter((i) => !ready.includes(i));
  }
  return { order, cyclic: [] };
}

function decodedSignal(signal: DbcSignal, raw: number | bigint): DecodedSignal {
  const value =
    typeof raw === "bigint"
      ? signal.factor === 1 && signal.offset === 0
        ? raw
        : Number(raw) * signal.factor + signal.offset
      : raw * signal.factor + signal.offset;
  const label = signal.choices?.get(Number(raw));
  return {
    name: signal.name,
    value,
    raw,
    unit: signal.unit,
    ...(label === undefined ? {} : { label }),
    signal,
  };
}
