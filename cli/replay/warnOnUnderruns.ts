import type { Logger } from "pino";
import type { RunRecord } from "../../replay/results/RunRecord.js";
import type { StreamingFigures } from "../../replay/results/RunReport.js";

/**
 * Warns when a read found the S3 read-ahead empty: the link did not sustain the log's data
 * rate for a while. The figures say how often, for how long, and what rate was needed. An
 * unpaced replay (`--rate 0`) reads as fast as the link allows, so it always waits: there the
 * figures are only logged at debug level (the report has them either way).
 */
export function warnOnUnderruns(record: RunRecord, log: Logger, paced: boolean): void {
  const streaming = record.streaming();
  if (streaming.underruns === 0) return;
  if (paced) log.warn(streamingFields(streaming), "S3 read-ahead ran dry: reads waited for the network");
  else log.debug(streamingFields(streaming), "reads waited for the network (unpaced replay)");
}

/** The figures as log fields, rates in MB/s as people read them. */
export function streamingFields(s: StreamingFigures): Record<string, unknown> {
  const mbps = (bps: number | undefined) =>
    bps === undefined ? undefined : Math.round(bps / 1e4) / 100;
  return {
    underruns: s.underruns,
    waitMs: s.underrunWaitMs,
    neededMBps: mbps(s.neededBytesPerSecond),
    achievedMBps: mbps(s.achievedBytesPerSecond),
    lateFramesDuringIoWait: s.lateFramesDuringIoWait,
  };
}
