import type { BlockReader } from "./BlockReader.js";
import { CG_VLSD, type Mdf4DataGroup } from "./Mdf4Structure.js";

/** Receives the records of one channel group. */
export interface RecordHandler {
  /**
   * One record at `pos` in `bytes` (after the record ID). For a VLSD group `pos` is the first
   * value byte and `length` the value's length; otherwise `length` is the record size.
   */
  record(bytes: Uint8Array, view: DataView, pos: number, length: number): void;
}

// A record (VLSD values included) longer than this is taken as a corrupt length field.
const MAX_RECORD = 64 * 1024 * 1024;

interface GroupSlot {
  size: number;
  vlsd: boolean;
  handler: RecordHandler | undefined;
}

/**
 * Splits a data group's stream into records and hands each to the handler of its channel group
 * (by cg_record_id; groups without a handler are skipped). Yields after every `batch` records
 * (and at the end of each chunk) so that the caller can hand on what the handlers gathered
 * while memory stays small. Records split across chunks are joined.
 */
export async function* scanRecords(
  blocks: BlockReader,
  dg: Mdf4DataGroup,
  chunks: AsyncIterable<Uint8Array>,
  handlers: ReadonlyMap<number, RecordHandler>,
  batch = 8192,
): AsyncGenerator<void> {
  const split = dg.recordIdSize === 0 ? sortedSplitter(blocks, dg, handlers) :
    unsortedSplitter(blocks, dg, handlers);
  let carry: Uint8Array | undefined;
  let consumed = 0;
  for await (const chunk of chunks) {
    const bytes = carry ? concat(carry, chunk) : chunk;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let used = 0;
    for (;;) {
      const next = split(bytes, view, consumed, used, batch);
      if (next === used) break;
      used = next;
      yield;
    }
    consumed += used;
    carry = used < bytes.length ? bytes.slice(used) : undefined;
    if (carry && carry.length > MAX_RECORD) {
      throw blocks.fail("##DG", dg.offset, `expected records under ${MAX_RECORD} bytes, found ` +
        `${carry.length} bytes without a record end at data offset ${consumed}`);
    }
  }
  // A sorted group's stream may end in padding shorter than a record; an unsorted stream must
  // end on a record boundary unless the logger never finished the file.
  if (carry && dg.recordIdSize !== 0) {
    const detail = `${carry.length} bytes left at data offset ${consumed}`;
    if (blocks.strictLengths) {
      throw blocks.fail("##DG", dg.offset, `expected whole records, found ${detail}`);
    }
    // The logger stopped in the middle of a record: the part written is no record.
    blocks.noteCutShort({ where: "##DG", offset: dg.offset, detail: `ends inside a record: ` +
      detail });
  }
  if (blocks.strictLengths && dg.recordIdSize === 0) checkSortedCount(blocks, dg, consumed);
}

/** A finalized sorted group whose data ends before cg_cycle_count records lost its tail. */
function checkSortedCount(blocks: BlockReader, dg: Mdf4DataGroup, consumed: number): void {
  const cg = dg.groups.find((g) => (g.flags & CG_VLSD) === 0);
  if (cg === undefined) return;
  const size = cg.dataBytes + cg.invalBytes;
  const records = Math.floor(consumed / size);
  if (records < cg.cycleCount) {
    throw blocks.fail("##CG", cg.offset, `expected cg_cycle_count ${cg.cycleCount} records of ` +
      `${size} bytes, found ${records} in ${consumed} bytes of data (data blocks cut short)`);
  }
}

/** Hands on at most `max` records from `from`; returns the position after the last one. */
type Splitter = (bytes: Uint8Array, view: DataView, streamPos: number, from: number, max: number) =>
  number;

function sortedSplitter(blocks: BlockReader, dg: Mdf4DataGroup,
  handlers: ReadonlyMap<number, RecordHandler>): Splitter {
  const cg = dg.groups.find((g) => (g.flags & CG_VLSD) === 0);
  if (dg.groups.length !== 1 || cg === undefined) {
    throw blocks.fail("##DG", dg.offset, `expected one channel group in a sorted data group ` +
      `(dg_rec_id_size 0), found ${dg.groups.length}`);
  }
  const size = cg.dataBytes + cg.invalBytes;
  const handler = handlers.get(cg.recordId);
  if (size === 0) {
    throw blocks.fail("##CG", cg.offset, "expected a record size > 0, found 0");
  }
  return (bytes, view, _streamPos, from, max) => {
    const end = Math.min(bytes.length - size, from + (max - 1) * size);
    let pos = from;
    if (handler) for (; pos <= end; pos += size) handler.record(bytes, view, pos, size);
    else pos = from + Math.floor((bytes.length - from) / size) * size;
    return pos;
  };
}

function unsortedSplitter(blocks: BlockReader, dg: Mdf4DataGroup,
  handlers: ReadonlyMap<number, RecordHandler>): Splitter {
  const slots = new Map<number, GroupSlot>();
  for (const g of dg.groups) {
    const vlsd = (g.flags & CG_VLSD) !== 0;
    slots.set(g.recordId, {
      size: vlsd ? 4 : g.dataBytes + g.invalBytes, vlsd, handler: handlers.get(g.recordId),
    });
  }
  const idSize = dg.recordIdSize;
  return (bytes, view, streamPos, from, max) => {
    let pos = from;
    for (let n = 0; n < max; n++) {
      if (pos + idSize > bytes.length) return pos;
      const id = readId(view, pos, idSize);
      const slot = slots.get(id);
      if (slot === undefined) {
        throw blocks.fail("##DG", dg.offset, `expected a record ID of this data group at data ` +
          `offset ${streamPos + pos}, found ${id}`);
      }
      const start = pos + idSize;
      if (start + slot.size > bytes.length) return pos;
      let length = slot.size;
      let dataStart = start;
      if (slot.vlsd) {
        length = view.getUint32(start, true);
        dataStart = start + 4;
        if (dataStart + length > bytes.length) return pos;
      }
      slot.handler?.record(bytes, view, dataStart, length);
      pos = dataStart + length;
    }
    return pos;
  };
}

function readId(view: DataView, pos: number, size: number): number {
  switch (size) {
    case 1:
      return view.getUint8(pos);
    case 2:
      return view.getUint16(pos, true);
    case 4:
      return view.getUint32(pos, true);
    default:
      return Number(view.getBigUint64(pos, true));
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
