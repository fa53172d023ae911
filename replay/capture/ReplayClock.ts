/**
 * The replay's clock as a capture reads it: frames received on a bus are stamped with the
 * replay time reached when they arrived, so that capture and replayed log share one time axis.
 */
export interface ReplayClock {
  /** Epoch ns of replay time 0. */
  readonly originNs: bigint;
  /** Replay time, ns from the origin, at monotonic `monoNs` (`process.hrtime.bigint()`). */
  timeAt(monoNs: bigint): number;
}
