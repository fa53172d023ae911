import { setImmediate as nextTurn } from "node:timers/promises";
import type { Clock } from "./Clock.js";

/**
 * The monotonic clock with plain timers and no spinning: frames go out up to a millisecond or
 * two late, and the process sleeps in between. For simulations that run all day (the agent's
 * simulated vehicle), where MonotonicClock's spinning would cost a core for no one's benefit.
 */
export class TimerClock implements Clock {
  now(): bigint {
    return process.hrtime.bigint();
  }

  async waitUntil(deadlineNs: bigint): Promise<void> {
    const waitNs = deadlineNs - process.hrtime.bigint();
    if (waitNs <= 0n) return;
    await new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(Number(waitNs) / 1e6)));
  }

  async breathe(): Promise<void> {
    await nextTurn();
  }
}
