import type { LogRecord } from "../formats/LogRecord.js";
import { COLUMN_BYTES_PER_RECORD, PackedFlag, packedColumns } from "./PackedBatch.js";
import { StringTable } from "./StringTable.js";

/** One packed batch, ready to be transferred. */
export interface Packed {
  buffer: ArrayBuffer;
  count: number;
  /** Names first used by this batch (see StringTable). */
  strings: string[];
}

/** Batch buffers come in multiples of 64 KiB, so that a spare fits most batches. */
const SIZE_CLASS = 64 * 1024;

/**
 * Packs records into the columns of PackedBatch. Records gather in scratch columns that are
 * reused from batch to batch; `take()` copies them into a buffer to transfer: a spare the
 * replay's thread sent back (see recycle) if one is large enough, else a new one (of a size
 * class when spares are kept).
 */
export class BatchPacker {
  readonly strings = new StringTable();
  private capacity = 1024;
  private time = new Float64Array(this.capacity);
  private id = new Uint32Array(this.capacity);
  private channel = new Uint32Array(this.capacity);
  private aux = new Uint32Array(this.capacity);
  private aux2 = new Uint32Array(this.capacity);
  private dataEnd = new Uint32Array(this.capacity);
  private flags = new Uint16Array(this.capacity);
  private dlc = new Uint8Array(this.capacity);
  private data = new Uint8Array(64 * 1024);
  private dataLength = 0;
  count = 0;
  /** Buffers sent back by the replay's thread, at most `maxSpareBytes` of them. */
  private readonly spares: ArrayBuffer[] = [];
  private spareBytes = 0;

  constructor(private readonly maxSpareBytes = 0) {}

  /** Bytes the batch will take once packed. */
  get bytes(): number {
    return this.count * COLUMN_BYTES_PER_RECORD + this.dataLength;
  }

  add(record: LogRecord): void {
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    this.time[i] = record.timeNs;
    this.channel[i] = this.strings.number(record.channel);
    if (record.kind === "frame") {
      const { frame } = record;
      this.id[i] = frame.id;
      this.aux[i] = this.strings.number(frame.channel);
      this.aux2[i] = 0;
      this.flags[i] = frameFlags(frame);
      this.dlc[i] = frame.dlc;
      this.append(i, frame.data);
    } else {
      const { message } = record;
      this.id[i] = this.strings.number(message.topic);
      this.aux[i] = this.strings.number(message.type);
      this.aux2[i] = message.encoding === undefined ? 0 : this.strings.number(message.encoding) + 1;
      this.flags[i] = PackedFlag.message;
      this.dlc[i] = 0;
      this.append(i, message.data);
    }
  }

  /**
   * The records added since the last take, packed; the packer starts empty again. The buffer
   * may be longer than the batch: its payloads end at the last record's dataEnd.
   */
  take(): Packed {
    const count = this.count;
    const buffer = this.buffer(this.bytes);
    const out = packedColumns(buffer, count);
    out.time.set(this.time.subarray(0, count));
    out.id.set(this.id.subarray(0, count));
    out.channel.set(this.channel.subarray(0, count));
    out.aux.set(this.aux.subarray(0, count));
    out.aux2.set(this.aux2.subarray(0, count));
    out.dataEnd.set(this.dataEnd.subarray(0, count));
    out.flags.set(this.flags.subarray(0, count));
    out.dlc.set(this.dlc.subarray(0, count));
    out.data.set(this.data.subarray(0, this.dataLength));
    this.count = 0;
    this.dataLength = 0;
    return { buffer, count, strings: this.strings.takeAdded() };
  }

  /**
   * Takes back a buffer of a batch the replay's thread has unpacked and holds no view of, for
   * a later batch. Without it every batch is a new buffer, which the replay's thread frees
   * only when its collector gets to it: one that lived through two young collections waits
   * for a full one, and a paced replay swelled by tens of MB that way.
   */
  recycle(buffer: ArrayBuffer): void {
    if (buffer.byteLength === 0 || this.spareBytes + buffer.byteLength > this.maxSpareBytes) return;
    this.spares.push(buffer);
    this.spareBytes += buffer.byteLength;
  }

  /** Drops the records added since the last take; names they numbered are still sent. */
  discard(): void {
    this.count = 0;
    this.dataLength = 0;
  }

  /** A spare of at least `bytes` (the smallest), else a new buffer of the next size class. */
  private buffer(bytes: number): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.spares.length; i++) {
      const length = (this.spares[i] as ArrayBuffer).byteLength;
      if (length >= bytes && (best < 0 || length < (this.spares[best] as ArrayBuffer).byteLength)) {
        best = i;
      }
    }
    if (best >= 0) {
      const [spare] = this.spares.splice(best, 1) as [ArrayBuffer];
      this.spareBytes -= spare.byteLength;
      return spare;
    }
    if (this.maxSpareBytes === 0) return new ArrayBuffer(bytes);
    return new ArrayBuffer(Math.ceil(bytes / SIZE_CLASS) * SIZE_CLASS);
  }

  private append(i: number, bytes: Uint8Array): void {
    const end = this.dataLength + bytes.length;
    if (end > this.data.length) {
      const grown = new Uint8Array(Math.max(end, this.data.length * 2));
      grown.set(this.data.subarray(0, this.dataLength));
      this.data = grown;
    }
    this.data.set(bytes, this.dataLength);
    this.dataLength = end;
    this.dataEnd[i] = end;
  }

  private grow(): void {
    this.capacity *= 2;
    this.time = grown(this.time, new Float64Array(this.capacity));
    this.id = grown(this.id, new Uint32Array(this.capacity));
    this.channel = grown(this.channel, new Uint32Array(this.capacity));
    this.aux = grown(this.aux, new Uint32Array(this.capacity));
    this.aux2 = grown(this.aux2, new Uint32Array(this.capacity));
    this.dataEnd = grown(this.dataEnd, new Uint32Array(this.capacity));
    this.flags = grown(this.flags, new Uint16Array(this.capacity));
    this.dlc = grown(this.dlc, new Uint8Array(this.capacity));
  }
}

function grown<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(old: T, to: T): T {
  to.set(old);
  return to;
}

function frameFlags(frame: Extract<LogRecord, { kind: "frame" }>["frame"]): number {
  let flags = 0;
  if (frame.extended) flags |= PackedFlag.extended;
  if (frame.fd) flags |= PackedFlag.fd;
  if (frame.brs) flags |= PackedFlag.brs;
  if (frame.esi) flags |= PackedFlag.esi;
  if (frame.remote) flags |= PackedFlag.remote;
  if (frame.error) flags |= PackedFlag.error;
  if (frame.dir === "rx") flags |= PackedFlag.dirRx;
  else if (frame.dir === "tx") flags |= PackedFlag.dirTx;
  return flags;
}
