import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReadAhead } from "../../../replay/sources/ReadAhead.js";

function setup(size: number, chunkBytes: number, windowBytes: number) {
  const data = Uint8Array.from({ length: size }, (_, i) => i % 253);
  const fetched: number[] = [];
  const stats = { underruns: 0, underrunWaitMs: 0 };
  const ra = new ReadAhead(size, (start, end) => {
    fetched.push(start);
    return Promise.resolve(data.slice(start, end));
  }, { chunkBytes, windowBytes }, stats);
  return { data, fetched, stats, ra };
}

describe("ReadAhead", () => {
  it("serves any range, across chunk edges and past the end, with the source's bytes", async () => {
    const { data, ra } = setup(10_000, 1000, 3000);
    await fc.assert(fc.asyncProperty(fc.nat(11_000), fc.nat(4000), async (offset, length) => {
      const got = await ra.read(offset, length);
      expect(Array.from(got)).toEqual(Array.from(data.subarray(offset, offset + length)));
    }), { numRuns: 200 });
  });

  it("fetches ahead of a sequential reader until the window's bytes are held", async () => {
    const { fetched, ra } = setup(10_000, 1000, 3000);
    await ra.read(0, 100);
    expect(fetched).toEqual([0, 1000, 2000]);
    await ra.read(100, 1000);
    expect(fetched).toEqual([0, 1000, 2000]);
    await ra.read(1100, 100);
    expect(fetched).toEqual([0, 1000, 2000, 3000]);
  });

  it("says which bytes it holds fetched, so that a cache can serve them from memory", async () => {
    const { ra } = setup(10_000, 1000, 3000);
    expect(ra.has(0, 10)).toBe(false);
    await ra.read(0, 100);
    // Chunks 1 and 2 were fetched ahead; chunk 3 was not asked for.
    await ra.read(2500, 10);
    expect(ra.has(0, 3000)).toBe(true);
    expect(ra.has(2900, 3001)).toBe(false);
    expect(ra.has(500, 500)).toBe(false);
  });

  it("fetches only the touched chunks for a random read", async () => {
    const { fetched, ra } = setup(10_000, 1000, 3000);
    await ra.read(7500, 10);
    expect(fetched).toEqual([7000]);
  });

  it("refetches a chunk whose fetch failed", async () => {
    let calls = 0;
    const stats = { underruns: 0, underrunWaitMs: 0 };
    const ra = new ReadAhead(3000, (start, end) => {
      calls++;
      return calls === 1 ? Promise.reject(new Error("network")) : Promise.resolve(new Uint8Array(end - start));
    }, { chunkBytes: 1000, windowBytes: 0 }, stats);
    await expect(ra.read(1000, 10)).rejects.toThrow("network");
    expect(await ra.read(1000, 10)).toHaveLength(10);
    expect(stats.underruns).toBe(2);
  });

  it("keeps memory bounded to the window on a long sequential read", async () => {
    const { ra, fetched } = setup(100_000, 1000, 4000);
    for (let pos = 0; pos < 100_000; pos += 700) await ra.read(pos, 700);
    expect(new Set(fetched).size).toBe(fetched.length);
    expect((ra as unknown as { chunks: Map<number, unknown> }).chunks.size).toBeLessThanOrEqual(4);
  });

  it("refills dropped chunks' buffers when asked to recycle, still serving the right bytes",
    async () => {
      const size = 50_000;
      const data = Uint8Array.from({ length: size }, (_, i) => (i * 7) % 251);
      const allocated = new Set<ArrayBufferLike>();
      let reused = 0;
      const ra = new ReadAhead(size, (start, end, spare) => {
        const out = spare !== undefined && spare.length >= end - start
          ? spare.subarray(0, end - start) : new Uint8Array(end - start);
        if (out.buffer === spare?.buffer) reused++;
        allocated.add(out.buffer);
        out.set(data.subarray(start, end));
        return Promise.resolve(out);
      }, { chunkBytes: 1000, windowBytes: 3000, recycle: true },
      { underruns: 0, underrunWaitMs: 0 });
      const got = new Uint8Array(size);
      for (let pos = 0; pos < size; pos += 600) got.set(await ra.read(pos, 600), pos);
      expect(Array.from(got)).toEqual(Array.from(data));
      expect(reused).toBeGreaterThan(40);
      expect(allocated.size).toBeLessThanOrEqual(5);
    });

  it("keeps every shared buffer for reuse, where it keeps only a few ordinary ones", async () => {
    const allocations = async (shared: boolean): Promise<number> => {
      let made = 0;
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      const ra: ReadAhead = new ReadAhead(20_000, (start, end, spare) => {
        const out = spare?.subarray(0, end - start) ?? new Uint8Array(
          shared ? new SharedArrayBuffer(1000) : new ArrayBuffer(1000));
        if (spare === undefined) made++;
        // Six chunks held at once (a lagging MD5 worker), twice: the second six need as many
        // buffers as the first six gave back.
        if (start < 12_000) ra.hold(out, start < 6000 ? held : new Promise(() => undefined));
        return Promise.resolve(out);
      }, { chunkBytes: 1000, windowBytes: 1000, recycle: true },
      { underruns: 0, underrunWaitMs: 0 });
      for (let pos = 0; pos < 6000; pos += 1000) await ra.read(pos, 1000);
      release();
      await held;
      for (let pos = 6000; pos < 12_000; pos += 1000) await ra.read(pos, 1000);
      return made;
    };
    const shared = await allocations(true);
    // Six, or seven when the first read after the release runs before the six are spares.
    expect(shared).toBeLessThanOrEqual(7);
    expect(await allocations(false)).toBeGreaterThan(shared);
  });

  it("never refills a buffer that is held until its holder lets go", async () => {
    const spares: (Uint8Array | undefined)[] = [];
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let first: Uint8Array | undefined;
    const ra: ReadAhead = new ReadAhead(10_000, (start, end, spare) => {
      spares.push(spare);
      const out = spare?.subarray(0, end - start) ?? new Uint8Array(end - start);
      if (start === 0) {
        first = out;
        ra.hold(out, held);
      }
      return Promise.resolve(out);
    }, { chunkBytes: 1000, windowBytes: 1000, recycle: true }, { underruns: 0, underrunWaitMs: 0 });
    for (let pos = 0; pos < 5000; pos += 1000) await ra.read(pos, 1000);
    expect(spares.some((s) => s?.buffer === first?.buffer)).toBe(false);
    release();
    await held;
    await Promise.resolve();
    for (let pos = 5000; pos < 8000; pos += 1000) await ra.read(pos, 1000);
    expect(spares.some((s) => s?.buffer === first?.buffer)).toBe(true);
  });
});
