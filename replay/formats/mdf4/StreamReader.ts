import type { BlockReader } from "./BlockReader.js";
import type { Fragment } from "./DataFragments.js";
import { inflateFragment } from "./DataStream.js";

/**
 * Random access to a logical data stream (an SD stream of VLSD values) over its fragments.
 * Keeps one window (or one inflated DZ) cached: VLSD offsets mostly grow, so reads hit it.
 */
export class StreamReader {
  private readonly starts: number[] = [];
  private cacheStart = 0;
  private cache: Uint8Array = new Uint8Array(0);
  readonly length: number;

  constructor(
    private readonly blocks: BlockReader,
    private readonly fragments: readonly Fragment[],
    private readonly window: number,
    private readonly where: string,
  ) {
    let pos = 0;
    for (const f of fragments) {
      this.starts.push(pos);
      pos += f.length;
    }
    this.length = pos;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || offset + length > this.length) {
      throw this.blocks.fail(this.where, this.fragments[0]?.blockOffset ?? -1,
        `expected VLSD data at stream offset ${offset} (+${length}) inside the ` +
        `${this.length}-byte stream, found it outside`);
    }
    const rel = offset - this.cacheStart;
    if (rel >= 0 && rel + length <= this.cache.length) {
      return this.cache.subarray(rel, rel + length);
    }
    const parts: Uint8Array[] = [];
    let pos = offset;
    let left = length;
    while (left > 0) {
      await this.load(pos, left);
      const take = Math.min(left, this.cacheStart + this.cache.length - pos);
      parts.push(this.cache.subarray(pos - this.cacheStart, pos - this.cacheStart + take));
      pos += take;
      left -= take;
    }
    if (parts.length === 1) return parts[0] as Uint8Array;
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  private async load(offset: number, wanted: number): Promise<void> {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    const f = this.fragments[lo] as Fragment;
    const start = this.starts[lo] as number;
    if (f.zipType >= 0) {
      this.cache = await inflateFragment(this.blocks, f);
      this.cacheStart = start;
      return;
    }
    const n = Math.min(Math.max(this.window, wanted), start + f.length - offset);
    this.cache = await this.blocks.readExactly(f.dataOffset + offset - start, n, f.blockId);
    this.cacheStart = offset;
  }
}
