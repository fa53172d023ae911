import type { LogReader } from "../formats/LogReader.js";
import type { LogRecord } from "../formats/LogRecord.js";
import type { ChannelMap } from "./ChannelMap.js";
import type { IdFilter } from "./IdFilter.js";
import { MinHeap } from "./MinHeap.js";
import { SourceCursor } from "./SourceCursor.js";
import type { TimeJumpPolicy } from "./TimeJumpPolicy.js";

export interface TimelineSource {
  reader: LogReader;
  /** Shifts the whole source later (positive) or earlier, in ns. */
  offsetNs?: number;
}

export interface TimelineOptions {
  /** Recorded channels (or topics) to keep; all when absent or empty. */
  channels?: readonly string[];
  idFilter?: IdFilter;
  channelMap?: ChannelMap;
  timeJumps?: TimeJumpPolicy;
  /** Replay time window, ns from the origin: records before `fromNs` or after `toNs` are left. */
  fromNs?: number;
  toNs?: number;
  /** Entries per yielded batch. */
  batchSize?: number;
}

export interface TimelineEntry {
  /** Replay time: ns since the origin (the earliest source start). */
  timeNs: number;
  /** Index of the source in the timeline's sources. */
  source: number;
  /** The record, its channel already mapped to the output channel. */
  record: LogRecord;
}

/**
 * Several logs merged into one stream ordered by absolute time: a k-way merge over the readers'
 * batches with one heap entry per source. Each source keeps its absolute start as epoch ns; the
 * origin is the earliest (offset) start, and replay times are plain ns from it.
 */
export class Timeline {
  /** Epoch ns of replay time 0. */
  readonly originNs: bigint;
  private readonly shifts: number[];

  constructor(
    readonly sources: readonly TimelineSource[],
    private readonly options: TimelineOptions = {},
  ) {
    if (sources.length === 0) throw new RangeError("a timeline needs at least one source");
    const starts = sources.map((s) => s.reader.startNs + BigInt(Math.round(s.offsetNs ?? 0)));
    this.originNs = starts.reduce((a, b) => (b < a ? b : a));
    this.shifts = starts.map((start) => Number(start - this.originNs));
  }

  /** Epoch ns the log recorded for an entry: its source's start plus the record's time. */
  recordedNs(entry: TimelineEntry): bigint {
    const reader = (this.sources[entry.source] as TimelineSource).reader;
    return reader.startNs + BigInt(entry.record.timeNs);
  }

  /** The merged, filtered records; each call starts from the beginning again. */
  async *batches(): AsyncGenerator<TimelineEntry[]> {
    const heap = new MinHeap<SourceCursor>(earlier);
    const cursors = this.sources.map((s, i) => this.cursor(s.reader, i));
    try {
      for (const cursor of cursors) if (await cursor.load()) heap.push(cursor);
      yield* this.merge(heap);
    } finally {
      await Promise.all(cursors.map((c) => c.close()));
    }
  }

  private async *merge(heap: MinHeap<SourceCursor>): AsyncGenerator<TimelineEntry[]> {
    const { fromNs = -Infinity, toNs = Infinity, batchSize = 512 } = this.options;
    let out: TimelineEntry[] = [];
    try {
      for (let cursor = heap.pop(); cursor; cursor = heap.pop()) {
        const timeNs = cursor.headTimeNs;
        if (timeNs > toNs) continue;
        if (timeNs >= fromNs) {
          const record = this.select(cursor.head as LogRecord);
          if (record) out.push({ timeNs, source: cursor.source, record });
          if (out.length >= batchSize) {
            yield out;
            out = [];
          }
        }
        if (cursor.advance() || (await cursor.load())) heap.push(cursor);
      }
    } catch (err) {
      // Everything gathered so far is earlier than the failing record: it is still replayed.
      if (out.length > 0) yield out;
      throw err;
    }
    if (out.length > 0) yield out;
  }

  private cursor(reader: LogReader, index: number): SourceCursor {
    const shift = this.shifts[index] as number;
    const policy = this.options.timeJumps ?? "error";
    // A reader may seek by time, but only while its times are trusted to rise.
    const from = this.options.fromNs;
    const readFrom = policy === "error" && from !== undefined && from > shift ? from - shift : undefined;
    return new SourceCursor(index, reader, shift, policy, readFrom);
  }

  private select(record: LogRecord): LogRecord | undefined {
    const { channels, idFilter, channelMap } = this.options;
    if (channels && channels.length > 0 && !channels.includes(record.channel)) return undefined;
    if (record.kind === "frame" && idFilter && !idFilter.accepts(record.frame.id)) return undefined;
    const out = channelMap ? channelMap.map(record.channel) : record.channel;
    if (out === undefined) return undefined;
    if (out === record.channel) return record;
    if (record.kind === "frame") {
      return { ...record, channel: out, frame: { ...record.frame, channel: out } };
    }
    return { ...record, channel: out };
  }
}

function earlier(a: SourceCursor, b: SourceCursor): boolean {
  return a.headTimeNs < b.headTimeNs || (a.headTimeNs === b.headTimeNs && a.source < b.source);
}
