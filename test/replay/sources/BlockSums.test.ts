import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { BLOCK_BYTES, BlockSummer, BlockSums } from "../../../replay/sources/BlockSums.js";

function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 13 + (i >> 9)) & 0xff);
}

describe("BlockSums", () => {
  const size = 2 * BLOCK_BYTES + 777;
  const bytes = pattern(size);

  it("sums each block of a stream fed in uneven pieces, the last block short", () => {
    const summer = new BlockSummer();
    for (let at = 0, step = 1; at < size; at += step, step = step * 3 + 1) {
      summer.update(bytes.subarray(at, Math.min(size, at + step)));
    }
    const sums = summer.finish(size);
    expect([...sums.crcs]).toEqual([
      crc32(bytes.subarray(0, BLOCK_BYTES)),
      crc32(bytes.subarray(BLOCK_BYTES, 2 * BLOCK_BYTES)),
      crc32(bytes.subarray(2 * BLOCK_BYTES)),
    ]);
    expect(sums.rangeOf(2)).toEqual([2 * BLOCK_BYTES, size]);
    expect(sums.mismatch(2, bytes.subarray(2 * BLOCK_BYTES))).toBeUndefined();
    const changed = bytes.slice(BLOCK_BYTES, 2 * BLOCK_BYTES);
    changed[5] = (changed[5] ?? 0) ^ 0x80;
    expect(sums.mismatch(1, changed)).toEqual({ expected: sums.crcs[1], found: crc32(changed) });
  });

  it("round-trips through its file form, and refuses a damaged or foreign one with the reason", () => {
    const summer = new BlockSummer();
    summer.update(bytes);
    const sums = summer.finish(size);
    const encoded = sums.encode();
    const back = BlockSums.decode(encoded, size);
    expect(back).toBeInstanceOf(BlockSums);
    expect([...(back as BlockSums).crcs]).toEqual([...sums.crcs]);

    expect(BlockSums.decode(encoded, size + 1)).toBe(`made for ${size} bytes, the entry has ${size + 1}`);
    const flipped = encoded.slice();
    flipped[30] = (flipped[30] ?? 0) ^ 1;
    expect(BlockSums.decode(flipped, size)).toBe("its own CRC-32 does not match");
    expect(BlockSums.decode(encoded.subarray(0, 10), size)).toBe("10 bytes, shorter than a header");
    const foreign = encoded.slice();
    foreign.set([0x50, 0x4b], 0);
    expect(BlockSums.decode(foreign, size)).toBe('starts with "PKSUMS01", expected "RRSUMS01"');
  });

  it("has no block for an empty object", () => {
    const sums = new BlockSummer().finish(0);
    expect(sums.crcs.length).toBe(0);
    expect(BlockSums.decode(sums.encode(), 0)).toBeInstanceOf(BlockSums);
  });
});
