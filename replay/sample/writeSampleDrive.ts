import { Mdf4Writer } from "../formats/mdf4/Mdf4Writer.js";
import { sampleDriveFrames, type SampleDriveOptions } from "./sampleDriveFrames.js";

export interface WriteSampleDriveOptions extends SampleDriveOptions {
  /** `mdf4` writes DT blocks, `mdf4-dz` transposed-deflate DZ blocks. */
  format: "mdf4" | "mdf4-dz";
  /** Absolute start of the drive, epoch ns; default 2024-06-01T08:00:00Z (reproducible files). */
  startNs?: bigint;
}

export const SAMPLE_START_NS = 1_717_228_800_000_000_000n;

/** Writes roadrig's sample drive as an MF4 file; returns the number of frames written. */
export function writeSampleDrive(path: string, options: WriteSampleDriveOptions): number {
  const writer = Mdf4Writer.create(path, {
    startNs: options.startNs ?? SAMPLE_START_NS,
    compression: options.format === "mdf4-dz" ? "transposed-deflate" : "none",
    comment: "roadrig sample drive (simulated; decode with config/dbc/roadrig-sample.dbc)",
  });
  try {
    for (const { frame, timeNs } of sampleDriveFrames(options)) writer.write(frame, timeNs);
  } finally {
    writer.close();
  }
  return writer.frameCount;
}
