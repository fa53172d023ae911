import { encodeBlock } from "./encodeBlock.js";

/** A block's place in the file; `offset` is known once the block has been added. */
export interface BlockRef {
  offset: number;
}

interface PendingBlock {
  id: string;
  links: readonly (BlockRef | null)[];
  data: Uint8Array;
}

/**
 * Lays out a run of blocks that link to each other, forwards as well as backwards: a block may
 * link to a ref whose block is added later. Offsets are assigned as blocks are added; links are
 * resolved when the bytes are taken.
 */
export class BlockLayout {
  private readonly blocks: PendingBlock[] = [];
  private end: number;

  constructor(readonly start: number) {
    this.end = start;
  }

  /** A ref to be given to a later `add`, for links that point forward. */
  ref(): BlockRef {
    return { offset: -1 };
  }

  add(
    id: string,
    links: readonly (BlockRef | null)[],
    data: Uint8Array,
    ref: BlockRef = this.ref(),
  ): BlockRef {
    ref.offset = this.end;
    this.blocks.push({ id, links, data });
    this.end += Math.ceil((24 + links.length * 8 + data.length) / 8) * 8;
    return ref;
  }

  /** A block encoded elsewhere (text, metadata), placed as is. */
  addEncoded(bytes: Uint8Array, ref: BlockRef = this.ref()): BlockRef {
    ref.offset = this.end;
    this.blocks.push({ id: "", links: [], data: bytes });
    this.end += bytes.length;
    return ref;
  }

  get endOffset(): number {
    return this.end;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.end - this.start);
    let at = 0;
    for (const block of this.blocks) {
      const encoded =
        block.id === "" ? block.data : encodeBlock(block.id, block.links.map(resolve), block.data);
      out.set(encoded, at);
      at += encoded.length;
    }
    return out;
  }
}

function resolve(ref: BlockRef | null): number {
  if (ref === null) return 0;
  if (ref.offset < 0) throw new Error("BlockLayout: a link points to a block never added");
  return ref.offset;
}
