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
 * spinning the wait lets one turn of the loop run, when the deadline leaves room for it (200 µs).
 * Frames closer together than that never leave such room: after four times `maxBusyNs` the turn
 * is taken anyway, at the cost of that frame's lateness. Without it a log at 5,000 frames/s or
 * more starved the loop for the whole run: SIGINT, timers and the read worker's messages waited
 * for its end.
 */
export class MonotonicClock implements Clock {
  private readonly spinNs: bigint;
  private readonly maxBusyNs: bigint;
  private lastTurnNs = process.hrtime.bigint();
  /** `hrtime.bigint()` minus `performance.now()` in ns: both count the same monotonic clock. */
  private readonly perfOriginNs =
    process.hrtime.bigint() - BigInt(Math.round(performance.now() * 1e6));

  private readonly spinIterations = calibrateSpin();

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
    } else if (this.turnDue(now, deadlineNs)) {
      await nextTurn();
      now = process.hrtime.bigint();
      this.lastTurnNs = now;
    }
    const targetMs = Number(deadlineNs - this.perfOriginNs) / 1e6;
    while (performance.now() < targetMs) this.pause();
  }

  /** A turn of the loop is due: the deadline leaves room for it, or it cannot wait longer. */
  private turnDue(now: bigint, deadlineNs: bigint): boolean {
    const busy = now - this.lastTurnNs;
    return busy > 4n * this.maxBusyNs || (busy > this.maxBusyNs && deadlineNs - now > 200_000n);
  }

  /**
   * Every clock read allocates (a boxed double from performance.now(), a BigInt from hrtime):
   * spinning on the clock flat out made ~300 MB/s of garbage at 10,000 frames/s, and the
   * scavenges it forced were the replay's worst lateness. So the spin reads the clock about
   * once a microsecond and burns the time between reads in a loop that allocates nothing.
   */
  private pause(): void {
    let sink = spinSink;
    for (let i = 0; i < this.spinIterations; i++) sink = (sink + i) | 0;
    spinSink = sink;
  }

  async breathe(): Promise<void> {
    await nextTurn();
    this.lastTurnNs = process.hrtime.bigint();
  }
}

/** Written by the spin loop so that the compiler cannot drop it as dead code. */
let spinSink = 0;

/** Iterations of the spin loop that take about a microsecond on this machine. */
function calibrateSpin(): number {
  const rounds = 200_000;
  let sink = 0;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) sink = (sink + i) | 0;
  const elapsedUs = (performance.now() - start) * 1000;
  spinSink = sink;
  return Math.max(1, Math.min(10_000, Math.round(rounds / Math.max(elapsedUs, 1))));
}
