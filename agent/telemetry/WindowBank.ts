import type { WindowRecord } from "./TelemetryRecord.js";

// Per signal: window start, count, min, max, sum, last, out-of-range flag, length (ms).
const START = 0;
const COUNT = 1;
const MIN = 2;
const MAX = 3;
const SUM = 4;
const LAST = 5;
const FLAG = 6;
const MS = 7;
const STRIDE = 8;

/**
 * Fixed windows of the signals of one message on one bus, aligned to multiples of each
 * window's length on the epoch so that windows of different signals and vehicles line up. A
 * window closes when a later sample arrives or when `flush` sees its end pass.
 *
 * The state of all the message's windows lies in one Float64Array: a frame updates a run of
 * adjacent cache lines instead of an object (and its boxed doubles) per signal. On a live bus
 * the frames of one message are milliseconds apart and other work evicts the caches between
 * them, so scattered state costs a cache miss per signal; packed, several signals share a line.
 */
export class WindowBank {
  private readonly state: Float64Array;
  /**
   * No open window ends before this (it may be earlier than the true earliest end, never
   * later): the pipeline's tick visits every bank ten times a second, and most have nothing due.
   */
  private due = Infinity;

  /** `ms[k]` is the window length of signal `k`; 0 leaves that signal unwindowed. */
  constructor(
    private readonly bus: string,
    private readonly message: string,
    private readonly signals: readonly string[],
    ms: readonly number[],
  ) {
    this.state = new Float64Array(signals.length * STRIDE);
    for (let k = 0; k < signals.length; k++) {
      const base = k * STRIDE;
      this.state[base + START] = NaN;
      this.state[base + MIN] = Infinity;
      this.state[base + MAX] = -Infinity;
      this.state[base + MS] = ms[k] ?? 0;
    }
  }

  /** Whether signal `k` is windowed. */
  has(k: number): boolean {
    return (this.state[k * STRIDE + MS] as number) > 0;
  }

  /** Adds a sample of signal `k`; returns the window it closed, if any. */
  add(k: number, t: number, value: number, outOfRange: boolean): WindowRecord | undefined {
    const s = this.state;
    const b = k * STRIDE;
    const start = s[b + START] as number;
    const ms = s[b + MS] as number;
    let closed: WindowRecord | undefined;
    // Most samples fall in the open window; the modulo is only worked out when one does not.
    if (!(t >= start && t < start + ms)) {
      closed = this.close(k);
      s[b + START] = t - (t % ms);
    }
    const count = s[b + COUNT] as number;
    // A window that opens (or a closed one that a late sample reopens) may end before `due`.
    if (count === 0 && (s[b + START] as number) + ms < this.due) {
      this.due = (s[b + START] as number) + ms;
    }
    s[b + COUNT] = count + 1;
    if (value < (s[b + MIN] as number)) s[b + MIN] = value;
    if (value > (s[b + MAX] as number)) s[b + MAX] = value;
    s[b + SUM] = (s[b + SUM] as number) + value;
    s[b + LAST] = value;
    if (outOfRange) s[b + FLAG] = 1;
    return closed;
  }

  /** Closes signal `k`'s window if `now` is past its end. */
  flushOne(k: number, now: number): WindowRecord | undefined {
    const s = this.state;
    const b = k * STRIDE;
    const open = (s[b + COUNT] as number) > 0;
    return open && now >= (s[b + START] as number) + (s[b + MS] as number)
      ? this.close(k) : undefined;
  }

  /** Closes every window whose end `now` has passed, handing each to `out`. */
  flush(now: number, out: (record: WindowRecord) => void): void {
    if (now < this.due) return;
    const s = this.state;
    let due = Infinity;
    for (let k = 0; k < this.signals.length; k++) {
      const record = this.flushOne(k, now);
      if (record !== undefined) out(record);
      const b = k * STRIDE;
      const end = (s[b + START] as number) + (s[b + MS] as number);
      if ((s[b + COUNT] as number) > 0 && end < due) due = end;
    }
    this.due = due;
  }

  private close(k: number): WindowRecord | undefined {
    const s = this.state;
    const b = k * STRIDE;
    const count = s[b + COUNT] as number;
    if (count === 0) return undefined;
    const record: WindowRecord = {
      type: "window",
      t: s[b + START] as number,
      ms: s[b + MS] as number,
      bus: this.bus,
      message: this.message,
      signal: this.signals[k] as string,
      count,
      min: s[b + MIN] as number,
      max: s[b + MAX] as number,
      mean: (s[b + SUM] as number) / count,
      last: s[b + LAST] as number,
    };
    if (s[b + FLAG] === 1) record.outOfRange = true;
    s[b + COUNT] = 0;
    s[b + MIN] = Infinity;
    s[b + MAX] = -Infinity;
    s[b + SUM] = 0;
    s[b + FLAG] = 0;
    return record;
  }
}
