import type { WindowRecord } from "./TelemetryRecord.js";
import { WindowBank } from "./WindowBank.js";

/**
 * Fixed windows of one signal, aligned to multiples of `ms` on the epoch: a bank of one. A
 * window closes when a later sample arrives or when `flush` sees its end pass.
 */
export class SignalWindow {
  private readonly bank: WindowBank;

  constructor(ms: number, bus: string, message: string, signal: string) {
    this.bank = new WindowBank(bus, message, [signal], [ms]);
  }

  /** Adds a sample; returns the window it closed, if any. */
  add(t: number, value: number, outOfRange: boolean): WindowRecord | undefined {
    return this.bank.add(0, t, value, outOfRange);
  }

  /** Closes the window if `now` is past its end. */
  flush(now: number): WindowRecord | undefined {
    return this.bank.flushOne(0, now);
  }
}
