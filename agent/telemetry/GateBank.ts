import type { SignalRule } from "./TelemetryConfig.js";

// Per signal: time and value of the last kept sample, samples seen (for the prescaler).
const LAST_T = 0;
const LAST_VALUE = 1;
const SEEN = 2;
const STRIDE = 3;

/**
 * The per-signal thinning of the signals of one message: minimum interval, on-change with a
 * deadband, and a prescaler, applied in that order to each sample; a sample passes only if
 * all pass it. The state of all the message's signals lies in one Float64Array, for the same
 * reason as the windows' (cold caches per frame on a live bus; see WindowBank).
 */
export class GateBank {
  private readonly state: Float64Array;

  /** `rules[k]` thins signal `k`; undefined lets every sample of it pass. */
  constructor(private readonly rules: readonly (SignalRule | undefined)[]) {
    this.state = new Float64Array(rules.length * STRIDE);
    for (let k = 0; k < rules.length; k++) {
      this.state[k * STRIDE + LAST_T] = -Infinity;
      this.state[k * STRIDE + LAST_VALUE] = NaN;
    }
  }

  /** Whether the sample of signal `k` at `t` (ms) with `value` is kept; keeping updates it. */
  pass(k: number, t: number, value: number): boolean {
    const rule = this.rules[k];
    if (rule === undefined) return true;
    const s = this.state;
    const b = k * STRIDE;
    const { minIntervalMs, onChange, everyNth } = rule;
    if (minIntervalMs !== undefined && t - (s[b + LAST_T] as number) < minIntervalMs) return false;
    if (onChange !== undefined && !changed(s[b + LAST_VALUE] as number, value, onChange)) {
      return false;
    }
    if (everyNth !== undefined) {
      const seen = s[b + SEEN] as number;
      s[b + SEEN] = seen + 1;
      if (seen % everyNth !== 0) return false;
    }
    s[b + LAST_T] = t;
    s[b + LAST_VALUE] = value;
    return true;
  }

  /**
   * The earliest time at which some signal could pass its minimum interval again: before it,
   * every sample of the bank fails the interval (the first test, which changes no state), so a
   * frame can be counted as filtered without visiting its signals. -Infinity unless every
   * signal has a minimum interval.
   */
  nextDue(): number {
    let due = Infinity;
    for (let k = 0; k < this.rules.length; k++) {
      const ms = this.rules[k]?.minIntervalMs;
      if (ms === undefined) return -Infinity;
      const at = (this.state[k * STRIDE + LAST_T] as number) + ms;
      if (at < due) due = at;
    }
    // `t < last + ms` and the test's `t - last < ms` can round apart by a few ulps: a margin
    // (7 µs at today's epoch in ms) leaves frames that close to the slow path, which is exact.
    return due === Infinity ? -Infinity : due - Math.abs(due) * 4e-15;
  }
}

function changed(
  last: number,
  value: number,
  band: { absolute?: number; relative?: number },
): boolean {
  if (Number.isNaN(last)) return true;
  const delta = Math.abs(value - last);
  if (band.absolute !== undefined && delta <= band.absolute) return false;
  if (band.relative !== undefined && delta <= Math.abs(last) * band.relative) return false;
  return delta > 0;
}
