import type { LatencySummary } from "./pacing/LatencyHistogram.js";
import type { OutputStats } from "./outputs/ReplayOutput.js";

export interface ReplaySummary {
  /** CAN frames let through the pacer, all passes together. */
  frames: number;
  /** Records that are not CAN frames (ROS or MCAP messages): no output takes them. */
  skippedMessages: number;
  /** Passes played in full or in part (`--loop`). */
  passes: number;
  /** True when the replay was stopped before its end. */
  stopped: boolean;
  rate: number;
  /** Epoch ns of replay time 0 (the earliest source start). */
  originNs: bigint;
  /** Replay time of the first and last frame sent, ns from the origin (last pass). */
  firstFrameNs: number | undefined;
  lastFrameNs: number | undefined;
  /** Wall time the replay took, ns. */
  wallNs: number;
  /** Frames sent more than the pacer's threshold after their deadline. */
  late: number;
  /** Send time minus deadline, ns (empty at rate 0). */
  lateness: LatencySummary;
  outputs: OutputStats[];
}
