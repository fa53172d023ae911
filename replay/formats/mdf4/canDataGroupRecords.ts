import type { LogRecord } from "../LogRecord.js";
import type { BlockReader } from "./BlockReader.js";
import { PENDING, type CanGroupDecoder } from "./CanGroupDecoder.js";
import type { FragmentList } from "./DataFragments.js";
import { dataChunks } from "./DataStream.js";
import type { Mdf4DataGroup } from "./Mdf4Structure.js";
import { scanRecords, type RecordHandler } from "./scanRecords.js";

/**
 * Frame records of the CAN groups of one data group, in time order. Each group's records are
 * in time order (the decoder checks); the groups of an unsorted data group interleave, so each
 * batch's records are merged by a stable sort with those held back from the last chunk, and only
 * records up to the earliest "latest time" of the groups active in the chunk go out: a group
 * cannot go back before its own latest time, and a group silent for several batches is taken not
 * to reach back past records written before it (loggers write in order of reception).
 */
export async function* canDataGroupRecords(
  blocks: BlockReader,
  dg: Mdf4DataGroup,
  fragments: FragmentList,
  decoders: readonly CanGroupDecoder[],
  window: number,
): AsyncGenerator<LogRecord[]> {
  const handlers = new Map<number, RecordHandler>();
  for (const d of decoders) {
    handlers.set(d.cg.recordId, d);
    if (d.vlsd) handlers.set(d.vlsd.recordId, d.vlsd.handler);
  }
  const single = decoders.length === 1 ? decoders[0] : undefined;
  let held: LogRecord[] = [];
  let batch = 0;
  let unresolved: LogRecord[] = [];
  const chunks = dataChunks(blocks, fragments, window);
  // All decoders of the data group push to one array, so it holds the records in file order.
  let out: LogRecord[] = [];
  for (const d of decoders) d.out = out;
  for await (const _ of scanRecords(blocks, dg, chunks, handlers)) {
    for (const d of decoders) await d.resolveFromSd();
    let fresh = unresolved.length > 0 ? unresolved.concat(out) : out;
    out = [];
    for (const d of decoders) d.out = out;
    [fresh, unresolved] = splitResolved(fresh, decoders);
    if (single !== undefined && held.length === 0) {
      // One group: its records are already in time order.
      if (fresh.length > 0) yield fresh;
      continue;
    }
    const all = held.length === 0 ? fresh : held.concat(fresh);
    if (!isSorted(all)) all.sort((a, b) => a.timeNs - b.timeNs);
    const cut = upperBound(all, watermark(decoders, batch++));
    held = all.slice(cut);
    if (cut > 0) yield cut === all.length ? all : all.slice(0, cut);
  }
  const rest = held.concat(unresolved.filter((r) => r.kind === "frame" && r.frame.data !== PENDING));
  if (rest.length > 0) yield rest;
}

function splitResolved(records: LogRecord[], decoders: readonly CanGroupDecoder[]):
  [LogRecord[], LogRecord[]] {
  if (!decoders.some((d) => d.hasPending)) return [records, []];
  const i = records.findIndex((r) => r.kind === "frame" && r.frame.data === PENDING);
  return i < 0 ? [records, []] : [records.slice(0, i), records.slice(i)];
}

// Groups heard from within this many batches (of 8192 records) bound what may go out.
const RECENT_BATCHES = 8;

function watermark(decoders: readonly CanGroupDecoder[], batch: number): number {
  let min = Number.POSITIVE_INFINITY;
  for (const d of decoders) {
    if (d.touched) d.lastBatch = batch;
    d.touched = false;
    if (d.lastBatch >= batch - RECENT_BATCHES && d.lastTimeNs < min) min = d.lastTimeNs;
  }
  return min;
}

function isSorted(records: readonly LogRecord[]): boolean {
  for (let i = 1; i < records.length; i++) {
    if ((records[i] as LogRecord).timeNs < (records[i - 1] as LogRecord).timeNs) return false;
  }
  return true;
}

/** Index of the first record later than `t`. */
function upperBound(records: readonly LogRecord[], t: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((records[mid] as LogRecord).timeNs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
