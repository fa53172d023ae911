import type { WindowRecord } from "./TelemetryRecord.js";

// Fields of one window in `state`, which holds them for all windows side by side.
const START = 0;
const COUNT = 1;
const MIN = 2;
const MAX = 3;
const SUM = 4;
const LAST = 5;
const FLAGGED = 6;
const FIELDS = 7;

/** What a window set summarises: one signal of one message, in windows of `ms`. */
export interface WindowedSignal {
  signal: string;
  ms: number;
}

/**
 * Fixed windows of the signals of one message, aligned to multiples of their `ms` on the epoch
 * so that windows of different signals and vehicles line up. A window closes when a later
 * sample falls outside it or when `flush` sees its end pass.
 *
 * The state of all the message's windows lives in one Float64Array rather than an object per
 * signal: a frame updates its windows with one contiguous run of memory, which is what keeps a
 * thousand windowed signals cheap when other processes keep evicting the caches between frames.
 */
export class WindowSet {
  private readonly state: Float64Array;
  private open = 0;

  constructor(
    private readonly bus: string,
    private readonly message: string,
    private readonly signals: readonly WindowedSignal[],
  ) {
    this.state = new Float64Array(signals.length * FIELDS);
    for (let k = 0; k < signals.length; k++) this.reset(k * FIELDS, NaN);
  }

  get size(): number {
    return this.signals.length;
  }

  /** Adds a sample of window `k`; returns the window it closed, if any. */
  add(k: number, t: number, value: number, outOfRange: boolean): WindowRecord | undefined {
    const s = this.state;
    const at = k * FIELDS;
    const start = s[at + START] as number;
    let closed: WindowRecord | undefined;
    const ms = (this.signals[k] as WindowedSignal).ms;
    // Most samples fall in the open window; the modulo is only worked out when one does not.
    if (!(t >= start && t < start + ms)) {
      closed = this.close(k);
      this.reset(at, t - (t % ms));
    }
    if (s[at + COUNT] === 0) this.open++;
    s[at + COUNT] = (s[at + COUNT] as number) + 1;
    if (value < (s[at + MIN] as number)) s[at + MIN] = value;
    if (value > (s[at + MAX] as number)) s[at + MAX] = value;
    s[at + SUM] = (s[at + SUM] as number) + value;
    s[at + LAST] = value;
    if (outOfRange) s[at + FLAGGED] = 1;
    return closed;
  }

  /** Hands `push` every window whose end `now` has passed. */
  flush(now: number, push: (record: WindowRecord) => void): void {
    if (this.open === 0) return;
    const s = this.state;
    for (let k = 0; k < this.signals.length; k++) {
      const at = k * FIELDS;
      if (s[at + COUNT] === 0) continue;
      if (now >= (s[at + START] as number) + (this.signals[k] as WindowedSignal).ms) {
        push(this.close(k) as WindowRecord);
        this.reset(at, s[at + START] as number);
      }
    }
  }

  private close(k: number): WindowRecord | undefined {
    const s = this.state;
    const at = k * FIELDS;
    const count = s[at + COUNT] as number;
    if (count === 0) return undefined;
    this.open--;
    const { signal, ms } = this.signals[k] as WindowedSignal;
    const record: WindowRecord = {
      type: "window",
      t: s[at + START] as number,
      ms,
      bus: this.bus,
      message: this.message,
      signal,
      count,
      min: s[at + MIN] as number,
      max: s[at + MAX] as number,
      mean: (s[at + SUM] as number) / count,
      last: s[at + LAST] as number,
    };
    if (s[at + FLAGGED] === 1) record.outOfRange = true;
    return record;
  }

  private reset(at: number, start: number): void {
    const s = this.state;
    s[at + START] = start;
    s[at + COUNT] = 0;
    s[at + MIN] = Infinity;
    s[at + MAX] = -Infinity;
    s[at + SUM] = 0;
    s[at + LAST] = NaN;
    s[at + FLAGGED] = 0;
  }
}
