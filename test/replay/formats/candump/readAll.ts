import { expect } from "vitest";
import type { LogReader } from "../../../../replay/formats/LogReader.js";
import type { LogRecord } from "../../../../replay/formats/LogRecord.js";
import type { CanFrame } from "../../../../drivers/can/CanFrame.js";

export type FrameRecord = Extract<LogRecord, { kind: "frame" }>;

/** Every record of a reader, flattened; throws if one is not a CAN frame. */
export async function readFrames(reader: LogReader, fromNs?: number): Promise<FrameRecord[]> {
  const out: FrameRecord[] = [];
  const options = fromNs === undefined ? {} : { fromNs };
  for await (const batch of reader.batches(options)) {
    for (const record of batch) {
      if (record.kind !== "frame") throw new Error(`unexpected ${record.kind} record`);
      out.push(record);
    }
  }
  return out;
}

/** The frame's fields without its channel or direction, for comparing across formats. */
export function frameFields(frame: CanFrame): Omit<CanFrame, "channel" | "dir"> {
  const { channel: _channel, dir: _dir, ...rest } = frame;
  return { ...rest, data: Uint8Array.from(frame.data) };
}

/** The frame counts every reference JSON of a CAN log gives (`data/truth/canlog/*.json`). */
export interface FrameCountTruth {
  data_frames: number;
  remote_frames: number;
  error_frames: number;
  fd_frames: number;
  extended_frames: number;
  frames_per_channel: Record<string, number>;
}

/** Checks a log's records against the reference reader's counts; returns the data frames. */
export function expectCountsOf(records: FrameRecord[], truth: FrameCountTruth): FrameRecord[] {
  const data = records.filter((r) => !r.frame.remote && !r.frame.error);
  const perChannel: Record<string, number> = {};
  for (const r of data) perChannel[r.channel] = (perChannel[r.channel] ?? 0) + 1;
  expect(perChannel).toEqual(truth.frames_per_channel);
  expect(data).toHaveLength(truth.data_frames);
  expect(records.filter((r) => r.frame.remote)).toHaveLength(truth.remote_frames);
  expect(records.filter((r) => r.frame.error)).toHaveLength(truth.error_frames);
  expect(data.filter((r) => r.frame.fd)).toHaveLength(truth.fd_frames);
  expect(data.filter((r) => r.frame.extended)).toHaveLength(truth.extended_frames);
  return data;
}
