import { GateBank } from "./GateBank.js";
import type { SignalRule } from "./TelemetryConfig.js";

/**
 * The per-signal thinning of one stream for one signal: minimum interval, on-change with a
 * deadband, and a prescaler, applied in that order; a bank of one.
 */
export class SignalGate {
  private readonly bank: GateBank;

  constructor(rule: SignalRule) {
    this.bank = new GateBank([rule]);
  }

  /** Whether the sample at `t` (ms) with `value` is kept; keeping updates the state. */
  pass(t: number, value: number): boolean {
    return this.bank.pass(0, t, value);
  }
}
