import type { TelemetryPipeline } from "../../../../agent/telemetry/TelemetryPipeline.js";
import { sampleDriveFrames } from "../../../../replay/sample/sampleDriveFrames.js";

/** A fixed monotonic origin, so that frame times are the drive's own. */
export const ORIGIN_NS = 10n ** 12n;

/**
 * Feeds `seconds` of roadrig's sample drive into bus 0 of the pipeline at the drive's own times
 * (as fast as the CPU goes: timing comes from the stamps, not from the wall clock).
 */
export function feedSampleDrive(pipeline: TelemetryPipeline, seconds: number, fromS = 0): number {
  let n = 0;
  for (const { timeNs, frame } of sampleDriveFrames({ durationS: fromS + seconds })) {
    if (timeNs < fromS * 1e9) continue;
    pipeline.ingest(0, frame, ORIGIN_NS + BigInt(timeNs));
    n++;
  }
  return n;
}
