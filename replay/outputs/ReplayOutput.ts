import type { CanFrame } from "../../drivers/can/CanFrame.js";

export interface OutputStats {
  target: string;
  frames: number;
  /** Driver-specific counters (refused writes, dropped frames...). */
  details?: Record<string, number>;
}

/** Where a replay sends its frames: a CAN bus, or a text log. */
export interface ReplayOutput {
  /** The target as the user wrote it, e.g. `socketcan:vcan0` or `candump:-`. */
  readonly target: string;
  /**
   * Sends one frame. `recordedNs` is the epoch time the log recorded for it. A returned promise
   * is backpressure: the replay awaits it before the next frame.
   */
  send(frame: CanFrame, recordedNs: bigint): void | Promise<void>;
  /** Pushes out anything buffered; the replay calls it before it waits for a deadline. */
  flush(): void | Promise<void>;
  stats(): OutputStats;
  close(): Promise<void>;
}
