/** The monotonic time a pacer schedules against; injectable so pacing logic tests run instantly. */
export interface Clock {
  /** Monotonic nanoseconds. */
  now(): bigint;
  /** Resolves at or after `deadlineNs` (a `now()` value). */
  waitUntil(deadlineNs: bigint): Promise<void>;
  /** Lets the event loop run (I/O, signals, timers) without waiting for a deadline. */
  breathe(): Promise<void>;
}
