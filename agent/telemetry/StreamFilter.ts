import type { Dbc, DbcMessage, DbcSignal } from "../../drivers/dbc/index.js";
import { compileExpression, expressionNames } from "./compileExpression.js";
import { ExpressionError } from "./ExpressionError.js";
import { GateBank } from "./GateBank.js";
import { IdFilter } from "./IdFilter.js";
import type { SignalRule, StreamConfig, TriggerConfig } from "./TelemetryConfig.js";
import type { TelemetryRecord } from "./TelemetryRecord.js";
import { TriggerCapture } from "./TriggerCapture.js";
import { WindowBank } from "./WindowBank.js";

export type Emit = (record: TelemetryRecord) => void;

interface TriggerPlan {
  capture: TriggerCapture;
  /** Signals the condition reads. */
  reads: Set<string>;
  /** Signals recorded around a firing. */
  captures: Set<string>;
}

/** What one stream does with one message: worked out on the message's first frame. */
export interface MessagePlan {
  readonly message: DbcMessage;
  /**
   * The selected signals, k = 0..n-1, packed: a frame reads adjacent memory instead of an
   * object per signal (on a live bus the caches are cold for nearly every frame).
   */
  indexes: Int32Array;
  names: string[];
  /** [min, max] per selected signal, slack included; unbounded when not flagged. */
  limits: Float64Array;
  /** Thinning of the selected signals, or undefined when none thins. */
  gates: GateBank | undefined;
  windows: WindowBank | undefined;
  /** Signals the triggers read: decoded slot to latest-value slot. */
  inputs: { index: number; slot: number }[];
  evaluate: TriggerCapture[];
  observe: { index: number; name: string; trigger: TriggerCapture }[];
  /** Whether the triggers read or capture any of the message's signals. */
  triggered: boolean;
  /** How the selected signals are thinned, when one shortcut fits all of them. */
  shape: PlanShape;
  /** Samples before this time all fail their minimum interval (shape `interval`). */
  intervalDue: number;
  /** The values array and payload version of the last frame run (shape `onChange`). */
  lastValues: Float64Array | undefined;
  lastVersion: number;
}

/**
 * `windows`: every selected signal is windowed, none thinned. `interval`: every one has a
 * minimum interval (tested first, so a frame before the earliest due time keeps nothing).
 * `onChange`: deadbands only: a frame repeating the payload of the frame before it on the same
 * route keeps nothing either (each value equals what the deadband last compared against, or
 * failed against it then). `mixed`: anything else, signal by signal.
 */
type PlanShape = "windows" | "interval" | "onChange" | "mixed";

/** Counters of one stream on one bus. */
export interface StreamFilterStats {
  /** Frames the ID rules rejected. */
  filteredFrames: number;
  /** Samples the signal rules dropped (interval, deadband, prescaler) or did not select. */
  filteredSamples: number;
  records: number;
  outOfRange: number;
}

/**
 * One stream's filters on one bus: ID rules, signal selection and thinning, windows, triggers
 * and range flags. What each message needs is worked out once, on its first frame, so the
 * per-frame work is a loop over the selected signals.
 */
export class StreamFilter {
  readonly stats: StreamFilterStats = {
    filteredFrames: 0, filteredSamples: 0, records: 0, outOfRange: 0,
  };
  private readonly ids: IdFilter;
  private readonly plans = new Map<DbcMessage, MessagePlan>();
  private readonly slots = new Map<string, number>();
  private readonly latest: Float64Array;
  private readonly triggers: TriggerPlan[];
  private readonly matchers: { rule: SignalRule; test: (name: string) => boolean }[];
  private readonly flagOutOfRange: boolean;

  constructor(
    readonly config: StreamConfig,
    dbc: Dbc,
    readonly bus: string,
  ) {
    this.ids = new IdFilter(config.ids);
    this.flagOutOfRange = config.flagOutOfRange ?? true;
    this.matchers = (config.signals ?? []).map((rule) => ({ rule, test: globTest(rule.names) }));
    const known = new Set(dbc.messages.flatMap((m) => m.signals.map((s) => s.name)));
    this.triggers = (config.triggers ?? []).map((t) => this.compileTrigger(t, known));
    this.latest = new Float64Array(this.slots.size).fill(NaN);
  }

  /** Whether the ID rules let the frame through; counts it when they do not. */
  accepts(id: number, extended: boolean): boolean {
    if (this.ids.accepts(id, extended)) return true;
    this.stats.filteredFrames++;
    return false;
  }

  /** Whether the ID rules let frames of this ID through, counting nothing. */
  decide(id: number, extended: boolean): boolean {
    return this.ids.accepts(id, extended);
  }

  /** The decoded values of one frame (`values[signal.index]`, NaN if absent), at `t` ms. */
  process(message: DbcMessage, values: Float64Array, t: number, emit: Emit): void {
    this.run(this.planFor(message), values, t, emit);
  }

  /** The plan of a message, made on first use; callers may keep it to skip the lookup. */
  planFor(message: DbcMessage): MessagePlan {
    let plan = this.plans.get(message);
    if (plan === undefined) {
      plan = this.plan(message);
      this.plans.set(message, plan);
    }
    return plan;
  }

  /** Whether a trigger of the stream reads or captures a signal of the message. */
  triggersRead(message: DbcMessage): boolean {
    return message.signals.some((s) =>
      this.slots.has(s.name) || this.triggers.some((t) => t.captures.has(s.name)));
  }

  /**
   * `process` with the plan at hand, for a frame the ID rules accepted. `version` numbers the
   * distinct payloads decoded into `values` (the caller's per-ID cache): the same array and
   * version mean the same values as the frame before; -1 says nothing.
   */
  run(plan: MessagePlan, values: Float64Array, t: number, emit: Emit, version = -1): void {
    const { indexes } = plan;
    const stats = this.stats;
    stats.filteredSamples += plan.message.signals.length - indexes.length;
    if (this.skips(plan, values, t, version)) {
      stats.filteredSamples += present(indexes, values);
    } else if (plan.shape === "windows") {
      this.window(plan, values, t, emit);
    } else {
      this.thin(plan, values, t, emit);
    }
    if (plan.triggered) this.trigger(plan, values, t, emit);
  }

  /** Whether no selected sample of this frame can be kept (see PlanShape); counts nothing. */
  private skips(plan: MessagePlan, values: Float64Array, t: number, version: number): boolean {
    switch (plan.shape) {
      case "interval":
        return t < plan.intervalDue;
      case "onChange": {
        const repeat = version >= 0 && plan.lastValues === values && plan.lastVersion === version;
        plan.lastValues = values;
        plan.lastVersion = version;
        return repeat;
      }
      case "windows":
      case "mixed":
        return false;
    }
  }

  /** Every selected signal windowed and none thinned: the loop without the thinning tests. */
  private window(plan: MessagePlan, values: Float64Array, t: number, emit: Emit): void {
    const { indexes, limits } = plan;
    const windows = plan.windows as WindowBank;
    const stats = this.stats;
    for (let k = 0; k < indexes.length; k++) {
      const value = values[indexes[k] as number] as number;
      if (Number.isNaN(value)) continue;
      const outOfRange = value < (limits[2 * k] as number) || value > (limits[2 * k + 1] as number);
      if (outOfRange) stats.outOfRange++;
      const closed = windows.add(k, t, value, outOfRange);
      if (closed !== undefined) this.push(closed, emit);
    }
  }

  private thin(plan: MessagePlan, values: Float64Array, t: number, emit: Emit): void {
    const { indexes, limits, gates, windows } = plan;
    const stats = this.stats;
    for (let k = 0; k < indexes.length; k++) {
      const value = values[indexes[k] as number] as number;
      if (Number.isNaN(value)) continue;
      if (gates !== undefined && !gates.pass(k, t, value)) {
        stats.filteredSamples++;
        continue;
      }
      const outOfRange = value < (limits[2 * k] as number) || value > (limits[2 * k + 1] as number);
      if (outOfRange) stats.outOfRange++;
      if (windows !== undefined && windows.has(k)) {
        this.push(windows.add(k, t, value, outOfRange), emit);
        continue;
      }
      stats.records++;
      const message = plan.message.name;
      const signal = plan.names[k] as string;
      emit(outOfRange
        ? { type: "sample", t, bus: this.bus, message, signal, value, outOfRange }
        : { type: "sample", t, bus: this.bus, message, signal, value });
    }
    if (plan.shape === "interval") plan.intervalDue = (gates as GateBank).nextDue();
  }

  /**
   * Feeds the triggers from a frame whose ID the stream's rules reject: a condition reads the
   * latest value of its signals from any message on the bus, and a capture records its signals
   * wherever they come from; the ID rules only choose what is recorded as samples and windows.
   */
  trigger(plan: MessagePlan, values: Float64Array, t: number, emit: Emit): void {
    const { inputs, evaluate, observe } = plan;
    for (const { index, slot } of inputs) {
      const v = values[index] as number;
      if (!Number.isNaN(v)) this.latest[slot] = v;
    }
    for (const { index, name, trigger } of observe) {
      const v = values[index] as number;
      if (!Number.isNaN(v)) this.push(trigger.observe(t, name, v), emit);
    }
    for (const trigger of evaluate) trigger.evaluate(t, this.latest);
  }

  /** Closes windows and captures whose time has passed by `now`. */
  flush(now: number, emit: Emit): void {
    const push = (record: TelemetryRecord) => this.push(record, emit);
    for (const plan of this.plans.values()) plan.windows?.flush(now, push);
    for (const t of this.triggers) this.push(t.capture.flush(now), emit);
  }

  private push(record: TelemetryRecord | undefined, emit: Emit): void {
    if (record === undefined) return;
    this.stats.records++;
    emit(record);
  }

  private plan(message: DbcMessage): MessagePlan {
    const selected: { signal: DbcSignal; rule: SignalRule }[] = [];
    for (const signal of message.signals) {
      const rule = this.matchers.find((m) => m.test(signal.name))?.rule;
      if (rule) selected.push({ signal, rule });
    }
    const limits = new Float64Array(2 * selected.length);
    selected.forEach(({ signal }, k) => {
      // Decoding multiplies by a factor that is rarely exact in binary; half a step of slack
      // keeps a value written at the range's edge from being flagged.
      const slack = Math.abs(signal.factor) / 2;
      const ranged = this.flagOutOfRange && !(signal.min === 0 && signal.max === 0);
      limits[2 * k] = ranged ? signal.min - slack : -Infinity;
      limits[2 * k + 1] = ranged ? signal.max + slack : Infinity;
    });
    const gates = selected.map(({ rule }) => thins(rule) ? rule : undefined);
    const ms = selected.map(({ rule }) => rule.windowMs ?? 0);
    const rules = selected.map(({ rule }) => rule);
    const signalNames = selected.map(({ signal }) => signal.name);
    const names = new Set(message.signals.map((s) => s.name));
    const inputs = message.signals
      .filter((s) => this.slots.has(s.name))
      .map((s) => ({ index: s.index, slot: this.slots.get(s.name) as number }));
    const evaluate = this.triggers
      .filter((t) => [...t.reads].some((n) => names.has(n)))
      .map((t) => t.capture);
    const observe = this.triggers.flatMap((t) =>
      message.signals
        .filter((s) => t.captures.has(s.name))
        .map((s) => ({ index: s.index, name: s.name, trigger: t.capture })));
    return {
      message,
      indexes: Int32Array.from(selected, ({ signal }) => signal.index),
      names: signalNames,
      limits,
      gates: gates.some((g) => g !== undefined) ? new GateBank(gates) : undefined,
      windows: ms.some((m) => m > 0)
        ? new WindowBank(this.bus, message.name, signalNames, ms) : undefined,
      inputs, evaluate, observe,
      triggered: inputs.length > 0 || evaluate.length > 0 || observe.length > 0,
      shape: shapeOf(rules), intervalDue: -Infinity, lastValues: undefined, lastVersion: -1,
    };
  }

  private compileTrigger(config: TriggerConfig, known: Set<string>): TriggerPlan {
    const slotOf = (name: string) => {
      if (!known.has(name)) return undefined;
      let slot = this.slots.get(name);
      if (slot === undefined) {
        slot = this.slots.size;
        this.slots.set(name, slot);
      }
      return slot;
    };
    const condition = compileExpression(config.when, slotOf);
    const reads = new Set(expressionNames(config.when));
    const captures = new Set(config.capture ?? reads);
    for (const name of captures) {
      if (!known.has(name)) {
        throw new ExpressionError(name, 0, `a signal of the DBC in trigger ${config.name}`, name);
      }
    }
    return { capture: new TriggerCapture(config, condition, this.bus), reads, captures };
  }
}

function shapeOf(rules: readonly SignalRule[]): PlanShape {
  if (rules.length === 0) return "mixed";
  const windowed = (r: SignalRule) => (r.windowMs ?? 0) > 0;
  if (rules.every((r) => windowed(r) && !thins(r))) return "windows";
  if (rules.every((r) => r.minIntervalMs !== undefined)) return "interval";
  const deadbandOnly = (r: SignalRule) => r.onChange !== undefined && !windowed(r) &&
    r.minIntervalMs === undefined && r.everyNth === undefined;
  return rules.every(deadbandOnly) ? "onChange" : "mixed";
}

/** Selected signals that the frame carries (NaN marks an absent one). */
function present(indexes: Int32Array, values: Float64Array): number {
  let n = 0;
  for (let k = 0; k < indexes.length; k++) if (!Number.isNaN(values[indexes[k] as number])) n++;
  return n;
}

function thins(rule: SignalRule): boolean {
  return rule.minIntervalMs !== undefined || rule.onChange !== undefined ||
    rule.everyNth !== undefined;
}

function globTest(patterns: readonly string[]): (name: string) => boolean {
  const escaped = patterns.map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*"));
  const re = new RegExp(`^(?:${escaped.join("|")})$`);
  return (name) => re.test(name);
}
