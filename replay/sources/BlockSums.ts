import { crc32 } from "node:zlib";

/**
 * Cache entries are read back in blocks of this size, aligned to offset 0, and each block is
 * checked against the CRC-32 recorded when it was written (partial entries) or published
 * (complete ones). 64 KiB: chunks fetched from S3 (multiples of it, from offset 0) cover whole
 * blocks, the sums of a complete entry take 64 KiB per GiB, and an unaligned read costs few
 * extra bytes.
 */
export const BLOCK_BYTES = 64 * 1024;

const MAGIC = "RRSUMS01";
const HEADER_BYTES = 24;

/**
 * CRC-32 of each block of a complete entry, computed from the bytes that were verified (MD5
 * against the ETag, where the ETag is one) and published. They catch what changes on disk
 * afterwards: a flipped bit on the NAS, a truncated or overwritten file.
 *
 * On disk (`sums`, little-endian): "RRSUMS01", block size (u32), object size (u64), one u32 per
 * block, then the CRC-32 of everything before it.
 */
export class BlockSums {
  constructor(
    readonly size: number,
    readonly crcs: Uint32Array,
    readonly blockBytes = BLOCK_BYTES,
  ) {
    if (crcs.length !== blockCount(size, blockBytes)) {
      throw new Error(`${crcs.length} block sums for ${size} bytes, expected ${blockCount(size, blockBytes)}`);
    }
  }

  /** Index of the block holding byte `offset`. */
  blockOf(offset: number): number {
    return Math.floor(offset / this.blockBytes);
  }

  /** Byte range [start, end) of block `index`. */
  rangeOf(index: number): [number, number] {
    return blockRange(index, this.size, this.blockBytes);
  }

  /** The CRC-32 found for block `index` if `bytes` (that whole block) do not match it. */
  mismatch(index: number, bytes: Uint8Array): { expected: number; found: number } | undefined {
    const expected = this.crcs[index];
    const found = crc32(bytes);
    return found === expected ? undefined : { expected: expected ?? 0, found };
  }

  encode(): Uint8Array {
    const out = new Uint8Array(HEADER_BYTES + this.crcs.length * 4 + 4);
    const view = new DataView(out.buffer);
    for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
    view.setUint32(8, this.blockBytes, true);
    view.setBigUint64(12, BigInt(this.size), true);
    view.setUint32(20, this.crcs.length, true);
    this.crcs.forEach((crc, i) => view.setUint32(HEADER_BYTES + i * 4, crc, true));
    view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
    return out;
  }

  /**
   * The sums of an entry of `size` bytes, or a reason they cannot be used (another format,
   * another size, damaged). A complete entry without usable sums is not used.
   */
  static decode(bytes: Uint8Array, size: number): BlockSums | string {
    if (bytes.length < HEADER_BYTES + 4) return `${bytes.length} bytes, shorter than a header`;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const magic = String.fromCharCode(...bytes.subarray(0, MAGIC.length));
    if (magic !== MAGIC) return `starts with ${JSON.stringify(magic)}, expected "${MAGIC}"`;
    const stored = view.getUint32(bytes.length - 4, true);
    if (crc32(bytes.subarray(0, bytes.length - 4)) !== stored) return "its own CRC-32 does not match";
    const blockBytes = view.getUint32(8, true);
    const forSize = Number(view.getBigUint64(12, true));
    const count = view.getUint32(20, true);
    if (forSize !== size) return `made for ${forSize} bytes, the entry has ${size}`;
    if (blockBytes === 0 || count !== blockCount(size, blockBytes)) {
      return `${count} blocks of ${blockBytes} bytes do not cover ${size} bytes`;
    }
    if (bytes.length !== HEADER_BYTES + count * 4 + 4) return `${bytes.length} bytes for ${count} blocks`;
    const crcs = new Uint32Array(count);
    for (let i = 0; i < count; i++) crcs[i] = view.getUint32(HEADER_BYTES + i * 4, true);
    return new BlockSums(size, crcs, blockBytes);
  }
}

export function blockCount(size: number, blockBytes = BLOCK_BYTES): number {
  return Math.ceil(size / blockBytes);
}

/** Byte range [start, end) of block `index` of an object of `size` bytes. */
export function blockRange(
  index: number,
  size: number,
  blockBytes = BLOCK_BYTES,
): [number, number] {
  const start = index * blockBytes;
  return [start, Math.min(size, start + blockBytes)];
}

/**
 * The blocks lying wholly inside bytes [start, start + bytes.length) of an object of `size`
 * bytes, each with its CRC-32: what a write of those bytes can vouch for.
 */
export function sumsOfWhole(start: number, bytes: Uint8Array, size: number): [number, number][] {
  const out: [number, number][] = [];
  const end = start + bytes.length;
  for (let i = Math.ceil(start / BLOCK_BYTES); ; i++) {
    const [a, b] = blockRange(i, size);
    if (a >= size || b > end) break;
    out.push([i, crc32(bytes.subarray(a - start, b - start))]);
  }
  return out;
}

/** Block CRC-32s of a byte stream fed in order from offset 0. */
export class BlockSummer {
  private readonly crcs: number[] = [];
  private crc = 0;
  private inBlock = 0;

  constructor(private readonly blockBytes = BLOCK_BYTES) {}

  update(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length;) {
      const take = Math.min(bytes.length - at, this.blockBytes - this.inBlock);
      this.crc = crc32(bytes.subarray(at, at + take), this.crc);
      this.inBlock += take;
      at += take;
      if (this.inBlock === this.blockBytes) this.endBlock();
    }
  }

  finish(size: number): BlockSums {
    if (this.inBlock > 0) this.endBlock();
    return new BlockSums(size, Uint32Array.from(this.crcs), this.blockBytes);
  }

  private endBlock(): void {
    this.crcs.push(this.crc);
    this.crc = 0;
    this.inBlock = 0;
  }
}
