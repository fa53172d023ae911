import type { Clock } from "./pacing/Clock.js";
import type { ReplayOutput } from "./outputs/ReplayOutput.js";
import type { TimelineOptions, TimelineSource } from "./timeline/Timeline.js";

export interface ReplayOptions {
  sources: readonly TimelineSource[];
  outputs: readonly ReplayOutput[];
  /** Channel selection, ID filters, channel map, time-jump policy. */
  timeline?: Omit<TimelineOptions, "fromNs" | "toNs">;
  /** Replay time to begin at, ns from the origin; the first frame waits its distance from it. */
  startNs?: number;
  /** Log time to play from the start, ns. */
  durationNs?: number;
  /** Passes over the window; Infinity plays forever. */
  passes?: number;
  rate?: number;
  maxGapNs?: number;
  lateThresholdNs?: number;
  clock?: Clock;
}
