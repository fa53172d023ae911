import {
  McapRecordBuilder,
  McapStreamReader,
  type Channel,
  type DecompressHandlers,
  type Header,
  type Message,
  type Schema,
  type TypedMcapRecord,
} from "@mcap/core";
import type { ByteSource } from "../../sources/ByteSource.js";
import { FormatError } from "../FormatError.js";
import { mergeChunks } from "../rosbag/mergeChunks.js";
import { toFormatError } from "../rosbag/toFormatError.js";
import { MCAP_MAGIC } from "./looksLikeMcap.js";
import type { McapContents } from "./McapContents.js";
import { ReadAheadWindow } from "./ReadAheadWindow.js";

/** A stretch of the data section read as a unit: one chunk, or a run of loose messages. */
interface Segment {
  offset: number;
  length: number;
  startNs: bigint;
  endNs: bigint;
}

const OP_MESSAGE = 0x05;
const OP_CHUNK = 0x06;
const OP_ATTACHMENT = 0x09;
const OP_DATA_END = 0x0f;
const OP_FOOTER = 0x02;
const RECORD_PREFIX = 9;
/** Loose messages are grouped into runs of about this size, to bound what one load holds. */
const RUN_BYTES = 1 << 20;

/**
 * Reads an MCAP file without its indexes (none written, or unusable): a first pass walks the
 * data section record by record, decompressing each chunk once to learn channels, counts and the
 * true time range of every chunk; reading then merges the chunks by time as an index would.
 * Memory holds one chunk during the scan and the chunks overlapping in time while reading.
 */
export async function scanMcap(
  source: ByteSource,
  size: number,
  decompressHandlers: DecompressHandlers,
  summaryProblem: string | undefined,
): Promise<McapContents> {
  const scan = new DataSectionScan(source.name, decompressHandlers);
  const end = await scan.walk(source, size);
  let lastOffset = 0;
  const track = (offset: number) => {
    lastOffset = offset;
  };
  return {
    header: scan.header ?? { profile: "", library: "" },
    channels: scan.channels,
    schemas: scan.schemas,
    messageCounts: scan.counts,
    compression: [...scan.compression],
    finalized: await hasSummary(source, size, end),
    indexed: false,
    startNs: scan.startNs ?? 0n,
    endNs: scan.endNs ?? 0n,
    ...(summaryProblem !== undefined ? { summaryProblem } : {}),
    messages: (fromNs, batchSize) => scan.messages(source, fromNs, batchSize, track),
    lastOffset: () => lastOffset,
  };
}

class DataSectionScan {
  header: Header | undefined;
  readonly channels = new Map<number, Channel>();
  readonly schemas = new Map<number, Schema>();
  readonly counts = new Map<number, bigint>();
  readonly compression = new Set<string>();
  startNs: bigint | undefined;
  endNs: bigint | undefined;
  private readonly segments: Segment[] = [];
  private run: Segment | undefined;

  constructor(
    private readonly name: string,
    private readonly decompressHandlers: DecompressHandlers,
  ) {}

  /** Walks the data section; returns where it ends (data end, footer or end of file). */
  async walk(source: ByteSource, size: number): Promise<number> {
    const stream = new McapStreamReader({
      includeChunks: true,
      noMagicPrefix: true,
      decompressHandlers: this.decompressHandlers,
    });
    const window = new ReadAheadWindow(source);
    let offset = MCAP_MAGIC.length;
    // A file that ends after a whole record was never finished, but is not cut.
    while (offset < size) {
      const { opcode, length } = await this.recordPrefix(window, offset, size);
      if (opcode === OP_DATA_END || opcode === OP_FOOTER) return offset;
      // Attachments can be large and hold no messages: they are stepped over, not read.
      if (opcode !== OP_ATTACHMENT) {
        const bytes = await window.read(offset, length);
        try {
          stream.append(bytes);
          this.take(stream, opcode, offset, length);
        } catch (err) {
          throw toFormatError(this.name, `record (opcode 0x${opcode.toString(16)})`, offset, err);
        }
      }
      if (opcode !== OP_MESSAGE) this.run = undefined;
      offset += length;
    }
    return offset;
  }

  async *messages(
    source: ByteSource,
    fromNs: bigint,
    batchSize: number,
    track: (offset: number) => void,
  ): AsyncGenerator<Message[]> {
    const stream = this.primedStreamReader();
    const chunks = this.segments
      .filter((segment) => segment.endNs >= fromNs)
      .map((segment) => ({
        startNs: segment.startNs,
        endNs: segment.endNs,
        load: () => {
          track(segment.offset);
          return this.loadSegment(source, stream, segment);
        },
      }));
    for await (const messages of mergeChunks(chunks, (m) => m.logTime, batchSize)) {
      const wanted = messages.filter((m) => m.logTime >= fromNs);
      if (wanted.length > 0) yield wanted;
    }
  }

  private async recordPrefix(window: ReadAheadWindow, offset: number, size: number) {
    const prefix = await window.read(offset, RECORD_PREFIX);
    if (prefix.length < RECORD_PREFIX) {
      throw new FormatError(this.name, "record", offset,
        `expected a ${RECORD_PREFIX}-byte record prefix, file ends after ${prefix.length}: ` +
        "truncated");
    }
    const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
    const opcode = view.getUint8(0);
    const content = view.getBigUint64(1, true);
    if (BigInt(offset + RECORD_PREFIX) + content > BigInt(size)) {
      throw new FormatError(this.name, `record (opcode 0x${opcode.toString(16)})`, offset,
        `expected ${content} content bytes, file ends after ${size - offset - RECORD_PREFIX}: ` +
        "truncated");
    }
    return { opcode, length: RECORD_PREFIX + Number(content) };
  }

  /** Takes the records the stream reader parsed out of one top-level record. */
  private take(stream: McapStreamReader, opcode: number, offset: number, length: number): void {
    let first: bigint | undefined;
    let last: bigint | undefined;
    for (let record; (record = stream.nextRecord()); ) {
      const time = this.learn(record);
      if (time === undefined) continue;
      if (first === undefined || time < first) first = time;
      if (last === undefined || time > last) last = time;
    }
    if (first === undefined || last === undefined) return;
    if (opcode === OP_CHUNK) {
      this.segments.push({ offset, length, startNs: first, endNs: last });
    } else if (opcode === OP_MESSAGE) {
      this.extendRun(offset, length, first);
    }
  }

  /** Notes what a record says about the file; returns a message's log time. */
  private learn(record: TypedMcapRecord): bigint | undefined {
    switch (record.type) {
      case "Header":
        this.header = record;
        return undefined;
      case "Schema":
        this.schemas.set(record.id, record);
        return undefined;
      case "Channel":
        this.channels.set(record.id, record);
        return undefined;
      case "Chunk":
        this.compression.add(record.compression || "none");
        return undefined;
      case "Message": {
        const time = record.logTime;
        this.counts.set(record.channelId, (this.counts.get(record.channelId) ?? 0n) + 1n);
        if (this.startNs === undefined || time < this.startNs) this.startNs = time;
        if (this.endNs === undefined || time > this.endNs) this.endNs = time;
        return time;
      }
      case "Footer":
      case "MessageIndex":
      case "ChunkIndex":
      case "Attachment":
      case "AttachmentIndex":
      case "Statistics":
      case "Metadata":
      case "MetadataIndex":
      case "SummaryOffset":
      case "DataEnd":
      case "Unknown":
        return undefined;
    }
  }

  private extendRun(offset: number, length: number, time: bigint): void {
    const run = this.run;
    if (run && run.offset + run.length === offset && run.length < RUN_BYTES) {
      run.length += length;
      if (time < run.startNs) run.startNs = time;
      if (time > run.endNs) run.endNs = time;
      return;
    }
    this.run = { offset, length, startNs: time, endNs: time };
    this.segments.push(this.run);
  }

  // Segments are read out of file order, and the stream reader refuses a message whose channel
  // it has not seen: it is first fed the channel records the scan found.
  private primedStreamReader(): McapStreamReader {
    const builder = new McapRecordBuilder();
    for (const channel of this.channels.values()) builder.writeChannel(channel);
    const stream = new McapStreamReader({
      noMagicPrefix: true,
      decompressHandlers: this.decompressHandlers,
    });
    stream.append(builder.buffer);
    while (stream.nextRecord()) {
      // Only the channels go in; nothing to keep.
    }
    return stream;
  }

  private async loadSegment(
    source: ByteSource,
    stream: McapStreamReader,
    segment: Segment,
  ): Promise<Message[]> {
    const where = `record at the start of a ${segment.length}-byte chunk or message run`;
    const bytes = await source.read(segment.offset, segment.length);
    if (bytes.length !== segment.length) {
      throw new FormatError(this.name, where, segment.offset,
        `expected ${segment.length} bytes, found ${bytes.length}: ` +
        "the file changed since it was opened");
    }
    const messages: Message[] = [];
    try {
      stream.append(bytes);
      for (let record; (record = stream.nextRecord()); ) {
        if (record.type === "Message") messages.push(record);
      }
    } catch (err) {
      throw toFormatError(this.name, where, segment.offset, err);
    }
    // Array sort is stable: messages with equal log times keep their order in the chunk.
    return messages.sort((a, b) => (a.logTime < b.logTime ? -1 : a.logTime > b.logTime ? 1 : 0));
  }
}

// A summary exists when the file ends in footer and magic and the footer points at one.
async function hasSummary(source: ByteSource, size: number, dataEnd: number): Promise<boolean> {
  const footerAndMagic = RECORD_PREFIX + 8 + 8 + 4 + MCAP_MAGIC.length;
  if (dataEnd >= size || size < footerAndMagic) return false;
  const tail = await source.read(size - footerAndMagic, footerAndMagic);
  if (tail[0] !== OP_FOOTER) return false;
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  return view.getBigUint64(RECORD_PREFIX, true) !== 0n;
}
