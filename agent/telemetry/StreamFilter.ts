import type { Dbc, DbcMessage, DbcSignal } from "../../drivers/dbc/index.js";
import { compileExpression, expressionNames } from "./compileExpression.js";
import { ExpressionError } from "./ExpressionError.js";
import { IdFilter } from "./IdFilter.js";
import { SignalGate } from "./SignalGate.js";
import { SignalWindow } from "./SignalWindow.js";
import type { SignalRule, StreamConfig, TriggerConfig } from "./TelemetryConfig.js";
import type { TelemetryRecord } from "./TelemetryRecord.js";
import { TriggerCapture } from "./TriggerCapture.js";

export type Emit = (record: TelemetryRecord) => void;

interface SignalPlan {
  index: number;
  name: string;
  gate: SignalGate | undefined;
  window: SignalWindow | undefined;
  min: number;
  max: number;
  ranged: boolean;
}

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
  signals: SignalPlan[];
  /** Signals the triggers read: decoded slot to latest-value slot. */
  inputs: { index: number; slot: number }[];
  evaluate: TriggerCapture[];
  observe: { index: number; name: string; trigger: TriggerCapture }[];
  /** Whether the triggers read or capture any of the message's signals. */
  triggered: boolean;
}

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

  /** `process` with the plan at hand, for a frame the ID rules accepted. */
  run(plan: MessagePlan, values: Float64Array, t: number, emit: Emit): void {
    const { signals, message } = plan;
    this.stats.filteredSamples += message.signals.length - signals.length;
    for (let i = 0; i < signals.length; i++) {
      this.sample(signals[i] as SignalPlan, plan, values, t, emit);
    }
    if (plan.triggered) this.trigger(plan, values, t, emit);
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
    for (const plan of this.plans.values()) {
      for (const s of plan.signals) if (s.window) this.push(s.window.flush(now), emit);
    }
    for (const t of this.triggers) this.push(t.capture.flush(now), emit);
  }

  private sample(s: SignalPlan, plan: MessagePlan, values: Float64Array, t: number, emit: Emit) {
    const value = values[s.index] as number;
    if (Number.isNaN(value)) return;
    if (s.gate !== undefined && !s.gate.pass(t, value)) {
      this.stats.filteredSamples++;
      return;
    }
    const outOfRange = s.ranged && (value < s.min || value > s.max);
    if (outOfRange) this.stats.outOfRange++;
    if (s.window !== undefined) {
      this.push(s.window.add(t, value, outOfRange), emit);
      return;
    }
    this.stats.records++;
    const message = plan.message.name;
    emit(outOfRange
      ? { type: "sample", t, bus: this.bus, message, signal: s.name, value, outOfRange }
      : { type: "sample", t, bus: this.bus, message, signal: s.name, value });
  }

  private push(record: TelemetryRecord | undefined, emit: Emit): void {
    if (record === undefined) return;
    this.stats.records++;
    emit(record);
  }

  private plan(message: DbcMessage): MessagePlan {
    const signals: SignalPlan[] = [];
    for (const signal of message.signals) {
      const rule = this.matchers.find((m) => m.test(signal.name))?.rule;
      if (rule) signals.push(this.signalPlan(signal, rule, message));
    }
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
      message, signals, inputs, evaluate, observe,
      triggered: inputs.length > 0 || evaluate.length > 0 || observe.length > 0,
    };
  }

  private signalPlan(signal: DbcSignal, rule: SignalRule, message: DbcMessage): SignalPlan {
    const thins = rule.minIntervalMs !== undefined || rule.onChange !== undefined ||
      rule.everyNth !== undefined;
    // Decoding multiplies by a factor that is rarely exact in binary; half a step of slack keeps
    // a value written at the range's edge from being flagged.
    const slack = Math.abs(signal.factor) / 2;
    return {
      index: signal.index,
      name: signal.name,
      gate: thins ? new SignalGate(rule) : undefined,
      window: rule.windowMs !== undefined
        ? new SignalWindow(rule.windowMs, this.bus, message.name, signal.name)
        : undefined,
      min: signal.min - slack,
      max: signal.max + slack,
      ranged: this.flagOutOfRange && !(signal.min === 0 && signal.max === 0),
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

function globTest(patterns: readonly string[]): (name: string) => boolean {
  const escaped = patterns.map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*"));
  const re = new RegExp(`^(?:${escaped.join("|")})$`);
  return (name) => re.test(name);
}
