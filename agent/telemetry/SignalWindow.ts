import type { WindowRecord } from "./TelemetryRecord.js";

/**
 * Fixed windows of one signal, aligned to multiples of `ms` on the epoch so that windows of
 * different signals and vehicles line up. A window closes when a later sample arrives or when
 * `flush` sees its end pass.
 */
export class SignalWindow {
  private start = NaN;
  private count = 0;
  private min = Infinity;
  private max = -Infinity;
  private sum = 0;
  private last = NaN;
  private outOfRange = false;

  constructor(
    private readonly ms: number,
    private readonly bus: string,
    private readonly message: string,
    private readonly signal: string,
  ) {}

  /** Adds a sample; returns the window it closed, if any. */
  add(t: number, value: number, outOfRange: boolean): WindowRecord | undefined {
    let closed: WindowRecord | undefined;
    // Most samples fall in the open window; the modulo is only worked out when one does not.
    if (!(t >= this.start && t < this.start + this.ms)) {
      closed = this.close();
      this.start = t - (t % this.ms);
    }
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sum += value;
    this.last = value;
    if (outOfRange) this.outOfRange = true;
    return closed;
  }

  /** Closes the window if `now` is past its end. */
  flush(now: number): WindowRecord | undefined {
    return this.count > 0 && now >= this.start + this.ms ? this.close() : undefined;
  }

  private close(): WindowRecord | undefined {
    if (this.count === 0) return undefined;
    const record: WindowRecord = {
      type: "window",
      t: this.start,
      ms: this.ms,
      bus: this.bus,
      message: this.message,
      signal: this.signal,
      count: this.count,
      min: this.min,
      max: this.max,
      mean: this.sum / this.count,
      last: this.last,
    };
    if (this.outOfRange) record.outOfRange = true;
    this.count = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.sum = 0;
    this.outOfRange = false;
    return record;
  }
}
