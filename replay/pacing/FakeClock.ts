import type { Clock } from "./Clock.js";

/**
 * A clock that only moves when told: waiting jumps straight to the deadline (plus an optional
 * lag, to play a late wake-up). Pacing tests run deterministically and without sleeping.
 */
export class FakeClock implements Clock {
  /** Added to every wait, to simulate a scheduler that wakes late. */
  wakeLagNs = 0n;
  waits = 0;

  constructor(private nowNs: bigint = 1_000_000_000n) {}

  now(): bigint {
    return this.nowNs;
  }

  advance(ns: bigint | number): void {
    this.nowNs += BigInt(ns);
  }

  waitUntil(deadlineNs: bigint): Promise<void> {
    this.waits++;
    if (deadlineNs > this.nowNs) this.nowNs = deadlineNs + this.wakeLagNs;
    return Promise.resolve();
  }

  breathe(): Promise<void> {
    return Promise.resolve();
  }
}
