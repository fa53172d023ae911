import { makeFrame, type CanFrame } from "../../drivers/can/CanFrame.js";
import type { LogDescription, LogReader, ReadOptions } from "../../replay/formats/LogReader.js";
import type { LogRecord } from "../../replay/formats/LogRecord.js";

/** A LogReader over records held in memory, handed out in batches of `batchSize`. */
export function arrayReader(
  name: string,
  startNs: bigint,
  records: readonly LogRecord[],
  batchSize = 2,
): LogReader & { closed: number } {
  return {
    name,
    startNs,
    closed: 0,
    describe(): LogDescription {
      return { format: "candump", compression: [], groups: [] };
    },
    async *batches(options: ReadOptions = {}): AsyncIterable<readonly LogRecord[]> {
      const from = options.fromNs ?? -Infinity;
      const kept = records.filter((r) => r.timeNs >= from);
      for (let i = 0; i < kept.length; i += batchSize) {
        await Promise.resolve();
        yield kept.slice(i, i + batchSize);
      }
    },
    close(): Promise<void> {
      this.closed++;
      return Promise.resolve();
    },
  };
}

/** A frame record at `timeNs` with ID `id` on `channel`, data = [tag]. */
export function frameAt(timeNs: number, id: number, channel = "can0", tag = 0): LogRecord {
  const frame: CanFrame = makeFrame(id, Uint8Array.of(tag), { channel });
  return { kind: "frame", timeNs, channel, frame };
}

export const MS = 1_000_000;
export const S = 1_000_000_000;
