import type { SignalRule } from "./TelemetryConfig.js";

/**
 * The per-signal thinning of one stream: minimum interval, on-change with a deadband, and a
 * prescaler, applied in that order to each sample; a sample passes only if all pass it.
 */
export class SignalGate {
  private lastKeptT = -Infinity;
  private lastKeptValue = NaN;
  private seen = 0;

  constructor(private readonly rule: SignalRule) {}

  /** Whether the sample at `t` (ms) with `value` is kept; keeping updates the state. */
  pass(t: number, value: number): boolean {
    const { minIntervalMs, onChange, everyNth } = this.rule;
    if (minIntervalMs !== undefined && t - this.lastKeptT < minIntervalMs) return false;
    if (onChange !== undefined && !this.changed(value, onChange)) return false;
    if (everyNth !== undefined && this.seen++ % everyNth !== 0) return false;
    this.lastKeptT = t;
    this.lastKeptValue = value;
    return true;
  }

  private changed(value: number, band: { absolute?: number; relative?: number }): boolean {
    const last = this.lastKeptValue;
    if (Number.isNaN(last)) return true;
    const delta = Math.abs(value - last);
    if (band.absolute !== undefined && delta <= band.absolute) return false;
    if (band.relative !== undefined && delta <= Math.abs(last) * band.relative) return false;
    return delta > 0;
  }
}
