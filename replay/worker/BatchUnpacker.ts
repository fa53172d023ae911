import type { CanFrame } from "../../drivers/can/CanFrame.js";
import type { LogRecord } from "../formats/LogRecord.js";
import { canFrame } from "../formats/candump/canFrame.js";
import { PackedFlag, packedColumns, type PackedColumns } from "./PackedBatch.js";

const EMPTY = new Uint8Array(0);

/**
 * Turns packed batches back into records on the replay's thread. Payloads are views into the
 * transferred buffer (no copy); records and frames are new objects each time, because the
 * timeline, the outputs and a capture may hold on to them after the next batch.
 */
export class BatchUnpacker {
  private readonly strings: string[] = [];

  /** Names the worker numbered with this batch, in its order. */
  addStrings(added: readonly string[]): void {
    for (const name of added) this.strings.push(name);
  }

  columns(buffer: ArrayBuffer, count: number): PackedColumns {
    return packedColumns(buffer, count);
  }

  /** Records [from, to) of a packed batch. */
  decode(columns: PackedColumns, from: number, to: number): LogRecord[] {
    const records = new Array<LogRecord>(to - from);
    for (let i = from; i < to; i++) records[i - from] = this.record(columns, i);
    return records;
  }

  private record(c: PackedColumns, i: number): LogRecord {
    const start = i === 0 ? 0 : (c.dataEnd[i - 1] as number);
    const end = c.dataEnd[i] as number;
    const data = start === end ? EMPTY : c.data.subarray(start, end);
    const flags = c.flags[i] as number;
    const timeNs = c.time[i] as number;
    const channel = this.name(c.channel[i] as number);
    if ((flags & PackedFlag.message) !== 0) {
      const encoding = c.aux2[i] as number;
      const message = {
        topic: this.name(c.id[i] as number),
        type: this.name(c.aux[i] as number),
        data,
        ...(encoding === 0 ? {} : { encoding: this.name(encoding - 1) }),
      };
      return { kind: "message", timeNs, channel, message };
    }
    return { kind: "frame", timeNs, channel, frame: this.frame(c, i, flags, data) };
  }

  private frame(c: PackedColumns, i: number, flags: number, data: Uint8Array): CanFrame {
    const dir = (flags & PackedFlag.dirRx) !== 0 ? "rx"
      : (flags & PackedFlag.dirTx) !== 0 ? "tx" : undefined;
    return canFrame(
      c.id[i] as number,
      (flags & PackedFlag.extended) !== 0,
      (flags & PackedFlag.fd) !== 0,
      (flags & PackedFlag.brs) !== 0,
      (flags & PackedFlag.esi) !== 0,
      (flags & PackedFlag.remote) !== 0,
      (flags & PackedFlag.error) !== 0,
      c.dlc[i] as number,
      data,
      this.name(c.aux[i] as number),
      dir,
    );
  }

  private name(n: number): string {
    const name = this.strings[n];
    if (name === undefined) throw new RangeError(`read worker: string ${n} was never sent`);
    return name;
  }
}
