import { FormatError } from "../FormatError.js";
import type { ByteSource } from "../../sources/ByteSource.js";

/** One MDF4 block: its header fields, links, and the data section after the links. */
export interface Block {
  /** Block type with its `##` prefix, e.g. `##CN`. */
  id: string;
  offset: number;
  length: number;
  links: number[];
  /** Data section (after the link list) as stored; `view` spans the same bytes. */
  bytes: Uint8Array;
  view: DataView;
}

/** The block (or file part) a link was found in, for error messages. */
export interface Origin {
  where: string;
  offset: number;
}

export const BLOCK_HEADER_SIZE = 24;

// Metadata blocks larger than this are taken as corrupt rather than read into memory.
const MAX_META_BLOCK = 64 * 1024 * 1024;
const MAX_LINKS = 1 << 20;

/** Bytes an unfinalized file is missing, or left over, at one place (see BlockReader.cutShort). */
export interface CutShort {
  /** The block (`##DT`...) or data group (`##DG`) and its offset in the file. */
  readonly where: string;
  readonly offset: number;
  readonly detail: string;
}

/**
 * Reads metadata blocks of one file with bounds checks: every link must point inside the file,
 * every block must hold its declared links. Data blocks (DT, DZ...) are read by header only.
 */
export class BlockReader {
  /** False for unfinalized files, whose last data block may run past its declared length. */
  strictLengths = true;
  /** Offset of the last block in the file met so far. */
  highestBlock = 0;
  /**
   * Where an unfinalized file lost data that a finalized one would be an error for: a data
   * block cut off by the end of the file, a record cut in half at the end of a data group.
   */
  readonly cutShort: CutShort[] = [];

  constructor(
    readonly source: ByteSource,
    readonly file: string,
    readonly size: number,
  ) {}

  /** Notes a place where the file was cut short, once however often it is read (`--loop`). */
  noteCutShort(cut: CutShort): void {
    const seen = this.cutShort.some((c) => c.where === cut.where && c.offset === cut.offset);
    if (!seen) this.cutShort.push(cut);
  }

  fail(where: string, offset: number, detail: string): FormatError {
    return new FormatError(this.file, where, offset, detail);
  }

  /** Header of a block (24 bytes): id, length, link count. */
  async header(offset: number, expected: readonly string[], from: Origin): Promise<Block> {
    this.checkLink(offset, expected, from);
    const head = await this.readExactly(offset, BLOCK_HEADER_SIZE, expected[0] ?? "block");
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const id = String.fromCharCode(head[0] ?? 0, head[1] ?? 0, head[2] ?? 0, head[3] ?? 0);
    if (!expected.includes(id)) {
      throw this.fail(from.where, from.offset, `link to ${offset}: expected block ${expected.join(" or ")}, found ${show(id)}`);
    }
    const length = readLength(view, 8);
    if (offset > this.highestBlock) this.highestBlock = offset;
    const linkCount = readLength(view, 16);
    if (linkCount > MAX_LINKS || length < BLOCK_HEADER_SIZE + linkCount * 8) {
      throw this.fail(id, offset, `expected block length >= ${BLOCK_HEADER_SIZE + 8 * linkCount}` +
        ` for ${linkCount} links, found ${length}`);
    }
    return { id, offset, length, links: [], bytes: head.subarray(0, 0), view };
  }

  /**
   * Whole block: links and data. `minData` is the data size the block type needs; a block
   * that declares less is cut short (the spec allows no shorter form).
   */
  async block(offset: number, expected: readonly string[], from: Origin, minData = 0):
    Promise<Block> {
    const head = await this.header(offset, expected, from);
    const { id, length } = head;
    if (offset + length > this.size) {
      throw this.fail(id, offset, `expected ${length} bytes of block, found ${this.size - offset}` +
        " before end of file");
    }
    if (length > MAX_META_BLOCK) {
      throw this.fail(id, offset, `expected a block under ${MAX_META_BLOCK} bytes, found ${length}`);
    }
    const all = await this.readExactly(offset, length, id);
    const view = new DataView(all.buffer, all.byteOffset, all.byteLength);
    const linkCount = readLength(view, 16);
    const links: number[] = new Array<number>(linkCount);
    for (let i = 0; i < linkCount; i++) links[i] = readLength(view, BLOCK_HEADER_SIZE + 8 * i);
    const dataStart = BLOCK_HEADER_SIZE + 8 * linkCount;
    const bytes = all.subarray(dataStart);
    if (bytes.length < minData) {
      throw this.fail(id, offset, `expected at least ${minData} data bytes, found ${bytes.length}`);
    }
    return { id, offset, length, links, bytes, view: dataView(bytes) };
  }

  /** Throws unless `offset` may start a block of this file. */
  checkLink(offset: number, expected: readonly string[], from: Origin): void {
    if (!Number.isSafeInteger(offset) || offset < 64 || offset + BLOCK_HEADER_SIZE > this.size) {
      throw this.fail(from.where, from.offset, `link to ${expected.join("/")} at ${offset} is outside the file` +
        ` (size ${this.size})`);
    }
  }

  async readExactly(offset: number, length: number, where: string): Promise<Uint8Array> {
    const bytes = await this.source.read(offset, length);
    if (bytes.length < length) {
      throw this.fail(where, offset, `expected ${length} bytes, found ${bytes.length}` +
        " (file truncated)");
    }
    return bytes;
  }
}

export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A u64 length or link; values past 2^53 cannot be a position in any file we read. */
export function readLength(view: DataView, at: number): number {
  const high = view.getUint32(at + 4, true);
  const low = view.getUint32(at, true);
  return high >= 0x200000 ? Number.MAX_SAFE_INTEGER : high * 0x100000000 + low;
}

function show(id: string): string {
  return JSON.stringify(id);
}
