import type { CanFrame } from "../../drivers/can/CanFrame.js";
import type { LogRecord } from "../formats/LogRecord.js";
import { canFrame } from "../formats/candump/canFrame.js";
import { PackedFlag, packedColumns, type PackedColumns } from "./PackedBatch.js";

const EMPTY = new Uint8Array(0);

/**
 * Payloads up to this size are copied out of a batch. V8 keeps a typed array this small inside
 * its heap, where a young collection frees it: it costs no memory outside the heap, and the
 * batch's buffer can go back to the worker.
 */
export const MAX_COPIED_PAYLOAD = 64;

/**
 * Turns packed batches back into records on the replay's thread. Records and frames are new
 * objects each time, because the timeline, the outputs and a capture may hold on to them after
 * the next batch. So are their payloads when every payload of the batch is small (copies); a
 * batch with a larger one (a ROS or MCAP message) gives views into its buffer instead.
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

  /** True if every payload of the batch is at most MAX_COPIED_PAYLOAD bytes (see decode). */
  copies(c: PackedColumns, count: number): boolean {
    let start = 0;
    for (let i = 0; i < count; i++) {
      const end = c.dataEnd[i] as number;
      if (end - start > MAX_COPIED_PAYLOAD) return false;
      start = end;
    }
    return true;
  }

  /**
   * Records [from, to) of a packed batch. With `copy`, payloads are copies and hold nothing of
   * the buffer; without, they are views into it.
   */
  decode(columns: PackedColumns, from: number, to: number, copy = false): LogRecord[] {
    const records = new Array<LogRecord>(to - from);
    for (let i = from; i < to; i++) records[i - from] = this.record(columns, i, copy);
    return records;
  }

  private record(c: PackedColumns, i: number, copy: boolean): LogRecord {
    const start = i === 0 ? 0 : (c.dataEnd[i - 1] as number);
    const end = c.dataEnd[i] as number;
    const data = start === end ? EMPTY
      : copy ? copyOf(c.data, start, end) : c.data.subarray(start, end);
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

/** bytes[start, end) in a new array; a loop, not subarray() and set(): no view object made. */
function copyOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  for (let k = 0; k < out.length; k++) out[k] = bytes[start + k] as number;
  return out;
}
