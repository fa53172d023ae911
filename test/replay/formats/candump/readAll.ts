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
