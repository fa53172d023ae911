import { performance } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Clock } from "./Clock.js";

export interface MonotonicClockOptions {
  /** How long before a deadline the timer hands over to spinning. */
  spinNs?: number;
  /** Longest stretch of spinning between two turns of the event loop. */
  maxBusyNs?: number;
}

/**
 * `process.hrtime.bigint()` with a hybrid wait. Node's timers fire up to a millisecond or more
 * late, so a timer alone cannot keep p99 lateness near 100 µs: the timer sleeps until `spinNs`
 * before the deadline and the last stretch is spun on the clock. At 10,000 frames/s every gap is
 * shorter than the spin window, which would starve the event loop; so after `maxBusyNs` of
 * spinning the wait lets one turn of the loop run, when the deadline leaves room for it.
 */
export class MonotonicClock implements Clock {
  private readonly spinNs: bigint;
  private readonly maxBusyNs: bigint;
  private lastTurnNs = process.hrtime.bigint();
  /** `hrtime.bigint()` minus `performance.now()` in ns: both count the same monotonic clock. */
  private readonly perfOriginNs =
    process.hrtime.bigint() - BigInt(Math.round(performance.now() * 1e6));

  constructor(options: MonotonicClockOptions = {}) {
    this.spinNs = BigInt(options.spinNs ?? 1_500_000);
    this.maxBusyNs = BigInt(options.maxBusyNs ?? 5_000_000);
  }

  now(): bigint {
    return process.hrtime.bigint();
  }

  async waitUntil(deadlineNs: bigint): Promise<void> {
    let now = process.hrtime.bigint();
    if (deadlineNs - now > this.spinNs) {
      const sleepMs = Number(deadlineNs - now - this.spinNs) / 1e6;
      await new Promise<void>((resolve) => setTimeout(resolve, Math.floor(sleepMs)));
      now = process.hrtime.bigint();
      this.lastTurnNs = now;
    } else if (now - this.lastTurnNs > this.maxBusyNs && deadlineNs - now > 200_000n) {
      await nextTurn();
      now = process.hrtime.bigint();
      this.lastTurnNs = now;
    }
    // Spinning on performance.now() allocates nothing; hrtime.bigint() would allocate a BigInt
    // per turn of the loop and the garbage would bring scavenges into the timing.
    const targetMs = Number(deadlineNs - this.perfOriginNs) / 1e6;
    while (performance.now() < targetMs);
    while (now < deadlineNs) now = process.hrtime.bigint();
  }

  async breathe(): Promise<void> {
    await nextTurn();
    this.lastTurnNs = process.hrtime.bigint();
  }
}
