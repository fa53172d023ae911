import type { Evaluator } from "./compileExpression.js";
import type { CapturedSample, CaptureRecord } from "./TelemetryRecord.js";
import type { TriggerConfig } from "./TelemetryConfig.js";

/**
 * Condition-triggered capture: keeps the last `preMs` of the captured signals, and when the
 * condition fires (on its rising edge unless configured otherwise, and no sooner than
 * `minIntervalMs` after the last capture) records until `postMs` after it. A capture that is
 * still recording when the condition fires again absorbs the new firing.
 */
export class TriggerCapture {
  private history: CapturedSample[] = [];
  private head = 0;
  private wasTrue = false;
  private lastFired = -Infinity;
  private active: CaptureRecord | undefined;
  private readonly risingEdge: boolean;

  constructor(
    readonly config: TriggerConfig,
    private readonly condition: Evaluator,
    private readonly bus: string,
  ) {
    this.risingEdge = config.risingEdge ?? true;
  }

  /** A sample of a captured signal. Returns a capture whose post window this sample ended. */
  observe(t: number, signal: string, value: number): CaptureRecord | undefined {
    const done = this.flush(t);
    const sample = { t, signal, value };
    if (this.active) this.active.samples.push(sample);
    this.history.push(sample);
    this.trim(t);
    return done;
  }

  /** Evaluates the condition on the latest values, at `t`. */
  evaluate(t: number, values: Float64Array): void {
    const now = this.condition(values) !== 0;
    const edge = now && (!this.risingEdge || !this.wasTrue);
    this.wasTrue = now;
    if (!edge || this.active || t - this.lastFired < (this.config.minIntervalMs ?? 0)) return;
    this.lastFired = t;
    const h = this.history;
    let from = this.head;
    while (from < h.length && (h[from] as CapturedSample).t < t - this.config.preMs) from++;
    this.active = {
      type: "capture",
      t,
      trigger: this.config.name,
      bus: this.bus,
      samples: h.slice(from),
    };
  }

  /** Returns the active capture if its post window has ended by `now`. */
  flush(now: number): CaptureRecord | undefined {
    const active = this.active;
    if (!active || now < active.t + this.config.postMs) return undefined;
    this.active = undefined;
    return active;
  }

  private trim(now: number): void {
    const from = now - this.config.preMs;
    const h = this.history;
    while (this.head < h.length && (h[this.head] as CapturedSample).t < from) this.head++;
    // Compacting only once half the array is dead keeps trimming O(1) per sample on average.
    if (this.head > 1024 && this.head * 2 > this.history.length) {
      this.history = this.history.slice(this.head);
      this.head = 0;
    }
  }
}
