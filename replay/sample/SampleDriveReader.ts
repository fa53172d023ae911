import type { LogDescription, LogReader } from "../formats/LogReader.js";
import type { LogRecord } from "../formats/LogRecord.js";
import { sampleDriveFrames, type SampleDriveOptions } from "./sampleDriveFrames.js";
import { SAMPLE_START_NS } from "./writeSampleDrive.js";

const BATCH = 512;

/**
 * roadrig's sample drive as a log, generated as it is read: the simulated vehicle of the
 * agent's embedded default replays it without a file. Frames for which `keep` says false (the
 * body messages, when a simulated body ECU owns them) are left out.
 */
export class SampleDriveReader implements LogReader {
  readonly name = "sample drive";
  readonly startNs = SAMPLE_START_NS;

  constructor(private readonly options: SampleDriveOptions = {}) {}

  describe(): LogDescription {
    return { format: "mdf4", producer: "roadrig sample drive", compression: ["none"], groups: [] };
  }

  async *batches(): AsyncGenerator<readonly LogRecord[]> {
    let batch: LogRecord[] = [];
    for (const { timeNs, frame } of sampleDriveFrames(this.options)) {
      batch.push({ kind: "frame", timeNs, channel: frame.channel, frame });
      if (batch.length === BATCH) {
        yield batch;
        batch = [];
        // Generating is synchronous: let the event loop in between batches.
        await Promise.resolve();
      }
    }
    if (batch.length > 0) yield batch;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
