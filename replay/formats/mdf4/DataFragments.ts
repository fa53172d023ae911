import { BLOCK_HEADER_SIZE, readLength, type BlockReader, type Origin } from "./BlockReader.js";
import { UnsupportedError } from "../FormatError.js";
import { walkChain } from "./Mdf4Structure.js";

/** One piece of a data stream: the data of a DT/SD/RD block, or of a DZ holding one. */
export interface Fragment {
  blockId: string;
  blockOffset: number;
  /** File offset of the stored (maybe compressed) bytes. */
  dataOffset: number;
  storedLength: number;
  /** Bytes this fragment adds to the logical stream (dz_org_data_length for DZ). */
  length: number;
  /** 0 deflate, 1 transposition + deflate; -1 not compressed. */
  zipType: number;
  zipParameter: number;
}

const DZ_HEADER_SIZE = 48;
// One DZ is inflated whole; bigger ones would break the memory bound (writers use <= 4 MiB).
export const MAX_DZ_LENGTH = 64 * 1024 * 1024;
const MAX_FRAGMENTS = 4_000_000;

/** Where a leaf data block is linked from: its header is read only when it is needed. */
interface DataRef {
  link: number;
  from: Origin;
}

/**
 * The fragments of one data stream, resolved lazily: opening a file reads the DL/HL chain's
 * links but not the header of every data block, which lie every few MiB through the file. Read
 * through S3, reading them all at open would fetch the whole object before the first frame;
 * read in stream order, each header arrives with the data behind it.
 */
export class FragmentList implements AsyncIterable<Fragment> {
  private readonly resolved: (Fragment | undefined)[];

  constructor(
    private readonly blocks: BlockReader,
    private readonly leaf: string,
    private readonly refs: readonly DataRef[],
  ) {
    this.resolved = new Array<Fragment | undefined>(refs.length);
  }

  get count(): number {
    return this.refs.length;
  }

  async at(index: number): Promise<Fragment> {
    const known = this.resolved[index];
    if (known !== undefined) return known;
    const ref = this.refs[index];
    if (ref === undefined) throw new RangeError(`no fragment ${index} of ${this.refs.length}`);
    const fragment = await leafFragment(this.blocks, ref.link, this.leaf, ref.from);
    this.resolved[index] = fragment;
    return fragment;
  }

  async all(): Promise<Fragment[]> {
    const out: Fragment[] = [];
    for (let i = 0; i < this.refs.length; i++) out.push(await this.at(i));
    return out;
  }

  /** The fragments resolved so far. */
  known(): Fragment[] {
    return this.resolved.filter((f): f is Fragment => f !== undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Fragment> {
    for (let i = 0; i < this.refs.length; i++) yield await this.at(i);
  }
}

/**
 * The fragments of the data stream at `link` (dg_data or cn_data): a DT/SD, a DZ, a DL chain,
 * or an HL over a DL chain. `leaf` is the block type holding the data (`##DT` or `##SD`).
 */
export async function listFragments(
  blocks: BlockReader,
  link: number,
  leaf: string,
  from: Origin,
): Promise<FragmentList> {
  const refs: DataRef[] = [];
  if (link !== 0) {
    const head = await blocks.header(link, [leaf, "##DZ", "##DL", "##HL", "##RD"], from);
    if (head.id === "##HL") {
      const hl = await blocks.block(link, ["##HL"], from, 3);
      await addList(blocks, hl.links[0] ?? 0, leaf, { where: "##HL", offset: link }, refs);
    } else if (head.id === "##DL") {
      await addList(blocks, link, leaf, from, refs);
    } else {
      refs.push({ link, from });
    }
  }
  return new FragmentList(blocks, leaf, refs);
}

async function addList(
  blocks: BlockReader,
  first: number,
  leaf: string,
  from: Origin,
  out: DataRef[],
): Promise<void> {
  for await (const dl of walkChain(blocks, first, "##DL", from, 8)) {
    const count = dl.view.getUint32(4, true);
    if (count > dl.links.length - 1) {
      throw blocks.fail("##DL", dl.offset, `expected ${count} data links, found ${dl.links.length - 1}`);
    }
    const here = { where: "##DL", offset: dl.offset };
    for (let i = 1; i <= count; i++) {
      if (out.length >= MAX_FRAGMENTS) {
        throw blocks.fail("##DL", dl.offset, `expected at most ${MAX_FRAGMENTS} data blocks`);
      }
      const data = dl.links[i] ?? 0;
      if (data !== 0) {
        // Links are checked now, headers when the stream reaches them.
        blocks.checkLink(data, [leaf, "##DZ", "##RD"], here);
        out.push({ link: data, from: here });
      }
    }
  }
}

async function leafFragment(blocks: BlockReader, link: number, leaf: string, from: Origin):
  Promise<Fragment> {
  const head = await blocks.header(link, [leaf, "##DZ", "##RD"], from);
  if (head.id === "##DZ") return dzFragment(blocks, link, leaf);
  const dataOffset = link + BLOCK_HEADER_SIZE;
  const declared = head.length - BLOCK_HEADER_SIZE;
  const available = blocks.size - dataOffset;
  if (declared > available && blocks.strictLengths) {
    throw blocks.fail(head.id, link, `expected ${declared} data bytes, found ${available}` +
      " before end of file (file truncated)");
  }
  const length = Math.min(declared, available);
  if (declared > available) {
    blocks.noteCutShort({ where: head.id, offset: link, detail: `declares ${declared} data ` +
      `bytes, the file ends after ${available}` });
  }
  return {
    blockId: head.id, blockOffset: link, dataOffset, storedLength: length, length,
    zipType: -1, zipParameter: 0,
  };
}

async function dzFragment(blocks: BlockReader, link: number, leaf: string): Promise<Fragment> {
  const head = await blocks.header(link, ["##DZ"], { where: "##DZ", offset: link });
  const raw = await blocks.readExactly(link, DZ_HEADER_SIZE, "##DZ");
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const orgType = String.fromCharCode(raw[24] ?? 0, raw[25] ?? 0);
  const zipType = view.getUint8(26);
  const zipParameter = view.getUint32(28, true);
  const length = readLength(view, 32);
  const storedLength = readLength(view, 40);
  if (`##${orgType}` !== leaf && orgType !== "RD") {
    throw blocks.fail("##DZ", link, `expected dz_org_block_type ${leaf.slice(2)}, found ${JSON.stringify(orgType)}`);
  }
  if (zipType !== 0 && zipType !== 1) {
    throw new UnsupportedError(blocks.file, "##DZ", link,
      `dz_zip_type ${zipType} (0 deflate and 1 transposition + deflate are read)`);
  }
  const end = DZ_HEADER_SIZE + storedLength;
  if (end > head.length || link + end > blocks.size) {
    throw blocks.fail("##DZ", link, `expected ${storedLength} compressed bytes inside the block ` +
      `(length ${head.length}) and the file (size ${blocks.size}), found fewer`);
  }
  if (length > MAX_DZ_LENGTH) {
    throw new UnsupportedError(blocks.file, "##DZ", link,
      `dz_org_data_length ${length} above ${MAX_DZ_LENGTH}`);
  }
  if (zipType === 1 && zipParameter === 0) {
    throw blocks.fail("##DZ", link, "expected dz_zip_parameter > 0 for transposition, found 0");
  }
  return {
    blockId: "##DZ", blockOffset: link, dataOffset: link + DZ_HEADER_SIZE, storedLength, length,
    zipType, zipParameter,
  };
}
