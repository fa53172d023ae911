import type { ReplaySummary } from "../ReplaySummary.js";
import type { S3SourceStats } from "../sources/S3SourceStats.js";
import type { StreamingFigures } from "./RunReport.js";

/** Sums the S3 sources' counters and sets the bytes a replay needed against those it got. */
export function streamingFigures(
  stats: readonly S3SourceStats[],
  summary: Pick<ReplaySummary, "rate" | "wallNs" | "firstFrameNs" | "lastFrameNs" | "passes">,
  lateFramesDuringIoWait: number,
): StreamingFigures {
  const bytesFetched = sum(stats, (s) => s.bytesFetched);
  const wallSeconds = summary.wallNs / 1e9;
  const needed = neededRate(bytesFetched, summary);
  return {
    underruns: sum(stats, (s) => s.underruns),
    underrunWaitMs: Math.round(sum(stats, (s) => s.underrunWaitMs)),
    bytesFetched,
    ...(needed !== undefined ? { neededBytesPerSecond: needed } : {}),
    achievedBytesPerSecond: wallSeconds > 0 ? Math.round(bytesFetched / wallSeconds) : 0,
    lateFramesDuringIoWait,
  };
}

/** The schedule's length is the log time played over the rate, every pass together. */
function neededRate(
  bytes: number,
  summary: Pick<ReplaySummary, "rate" | "firstFrameNs" | "lastFrameNs" | "passes">,
): number | undefined {
  const { rate, firstFrameNs, lastFrameNs, passes } = summary;
  if (bytes === 0 || rate === 0) return undefined;
  if (firstFrameNs === undefined || lastFrameNs === undefined) return undefined;
  const scheduleSeconds = ((lastFrameNs - firstFrameNs) * passes) / rate / 1e9;
  return scheduleSeconds > 0 ? Math.round(bytes / scheduleSeconds) : undefined;
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}
