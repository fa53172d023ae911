import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { open as openFile, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BLOCK_BYTES } from "../../../replay/sources/BlockSums.js";
import type { CacheEntry } from "../../../replay/sources/CacheEntry.js";
import { NasCache } from "../../../replay/sources/NasCache.js";

const chunk = 64 * 1024;
const size = 6 * chunk + 1000;
const object = Uint8Array.from({ length: size }, (_, i) => (i * 7 + (i >> 10)) & 0xff);
const etag = `"${createHash("md5").update(object).digest("hex")}"`;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newCache(): NasCache {
  const dir = mkdtempSync(join(tmpdir(), "roadrig-entry-"));
  dirs.push(dir);
  return new NasCache({ dir, flushBytes: 2 * chunk });
}

async function openEntry(cache: NasCache): Promise<CacheEntry> {
  const entry = await cache.openEntry({ bucket: "b", key: "k", etag, size });
  if (entry === undefined) throw new Error("no entry");
  return entry;
}

/** Chunk `i` of `bytes` in shared memory, as the S3 source hands it to the cache. */
function sharedChunk(bytes: Uint8Array, i: number): Uint8Array {
  const part = bytes.subarray(i * chunk, Math.min(bytes.length, (i + 1) * chunk));
  const out = new Uint8Array(new SharedArrayBuffer(part.length));
  out.set(part);
  return out;
}

/** Lends and writes chunks as CachedS3Source does; resolves once all are written and given back. */
async function fill(entry: CacheEntry, bytes: Uint8Array, order: number[]): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (const i of order) {
    const data = sharedChunk(bytes, i);
    const lent = entry.lend(i * chunk, data);
    expect(lent).toBeDefined();
    pending.push(entry.write(i * chunk, data), lent ?? Promise.resolve());
  }
  await Promise.all(pending);
}

describe("CacheEntry with chunks lent to its MD5 worker", () => {
  it("verifies chunks written out of order and publishes the entry", async () => {
    const cache = newCache();
    const entry = await openEntry(cache);
    expect(entry.hashing).toBe(true);
    await fill(entry, object, [2, 0, 5, 1, 6, 4, 3]);
    await entry.close();
    expect(entry.complete).toBe(true);
    expect(Buffer.compare(await readFile(join(entry.dir, "data")), object)).toBe(0);
  });

  it("does not publish an entry when a chunk carried one wrong byte", async () => {
    const cache = newCache();
    const entry = await openEntry(cache);
    const corrupt = object.slice();
    corrupt[3 * chunk + 17] = (corrupt[3 * chunk + 17] ?? 0) ^ 0x40;
    await fill(entry, corrupt, [0, 1, 2, 3, 4, 5, 6]);
    await expect(entry.close()).rejects.toThrow(/expected MD5 [0-9a-f]{32} \(the ETag\), found/);
    expect((await readdir(entry.dir)).filter((n) => n.startsWith("data"))).toEqual([]);

    const again = await openEntry(cache);
    expect([again.complete, again.filledBytes]).toEqual([false, 0]);
    await again.close();
  });

  it("resumes a fill abandoned mid-way, hashing the recorded part from the file", async () => {
    const cache = newCache();
    const crashed = await openEntry(cache);
    await fill(crashed, object, [0, 1, 2, 3]);
    await crashed.flush();
    // No close: as if the process died. A new reader takes over from the recorded ranges.
    const resumed = await openEntry(cache);
    expect(resumed.filledBytes).toBe(4 * chunk);
    await fill(resumed, object, [5, 4, 6]);
    await resumed.close();
    expect(resumed.complete).toBe(true);
    expect(Buffer.compare(await readFile(join(resumed.dir, "data")), object)).toBe(0);
    await crashed.close();
  });

  it("checks every read of a complete entry against its block sums", async () => {
    const cache = newCache();
    const filler = await openEntry(cache);
    await fill(filler, object, [0, 1, 2, 3, 4, 5, 6]);
    await filler.close();

    const reader = await openEntry(cache);
    expect(reader.complete).toBe(true);
    // Unaligned sequential reads, each ending inside a block the next one starts in.
    const out = new Uint8Array(size);
    for (let at = 0; at < size; at += 70_001) {
      out.set(await reader.read(at, Math.min(size, at + 70_001)), at);
    }
    expect(Buffer.compare(out, object)).toBe(0);
    await reader.close();

    const handle = await openFile(join(filler.dir, "data"), "r+");
    await handle.write(Uint8Array.of(0), 0, 1, BLOCK_BYTES + 9);
    await handle.close();
    const damaged = await openEntry(cache);
    expect(Buffer.compare(await damaged.read(0, 1000), object.subarray(0, 1000))).toBe(0);
    const failure: unknown = await damaged.read(BLOCK_BYTES - 10, BLOCK_BYTES + 10)
      .then(() => undefined, (err: unknown) => err);
    expect(failure).toMatchObject({ name: "CacheEntryError", offset: BLOCK_BYTES });
    expect((failure as Error).message)
      .toMatch(/block 1 \(bytes 65536 to 131072\) has CRC-32 [0-9a-f]{8}, its sum/);
    await damaged.close();
  });

  it("does not use a complete entry whose sums file is missing or damaged: it fills again", async () => {
    const cache = newCache();
    const filler = await openEntry(cache);
    await fill(filler, object, [0, 1, 2, 3, 4, 5, 6]);
    await filler.close();
    const sums = await readFile(join(filler.dir, "sums"));
    sums[sums.length - 9] = (sums[sums.length - 9] ?? 0) ^ 1;
    await writeFile(join(filler.dir, "sums"), sums);

    const again = await openEntry(cache);
    expect([again.complete, again.filledBytes]).toEqual([false, 0]);
    await fill(again, object, [0, 1, 2, 3, 4, 5, 6]);
    await again.close();
    expect(again.complete).toBe(true);
    await rm(join(filler.dir, "sums"));
    const third = await openEntry(cache);
    expect(third.complete).toBe(false);
    await third.close();
  });

  it("checks reads of a partial entry against the sums its writers recorded", async () => {
    const cache = newCache();
    const filler = await openEntry(cache);
    await fill(filler, object, [0, 1, 2, 3]);
    await filler.flush();
    const part = (await readdir(filler.dir)).find((n) => n.endsWith(".part")) ?? "";
    const reader = await openEntry(cache);
    expect([reader.complete, reader.readable(0, 4 * chunk), reader.readable(0, 4 * chunk + 1)])
      .toEqual([false, true, false]);
    const early = await reader.read(10, 3 * chunk);
    expect(Buffer.compare(early, object.subarray(10, 3 * chunk))).toBe(0);

    // A byte of a recorded range changed on disk.
    const handle = await openFile(join(filler.dir, part), "r+");
    await handle.write(Uint8Array.of((object[2 * chunk + 5] ?? 0) ^ 0x10), 0, 1, 2 * chunk + 5);
    await handle.close();
    const other = await openEntry(cache);
    const failure: unknown = await other.read(2 * chunk, 2 * chunk + 100)
      .then(() => undefined, (err: unknown) => err);
    expect(failure).toMatchObject({ name: "CacheEntryError", offset: 2 * chunk });
    expect((failure as Error).message).toMatch(new RegExp(
      `${part}: at byte offset ${2 * chunk}: block 2 \\(bytes ${2 * chunk} to ${3 * chunk}\\) has `
      + "CRC-32 [0-9a-f]{8}, its sum recorded when it was written is [0-9a-f]{8}: the part file"));
    await Promise.all([filler.close(), reader.close(), other.close()]);
  });

  it("reads no block of a partial entry whose sum was never recorded", async () => {
    const cache = newCache();
    const filler = await openEntry(cache);
    await fill(filler, object, [0, 1]);
    await filler.flush();
    await filler.close();
    // A sidecar that claims a range no writer vouched for (a crash, an older writer, a hand edit).
    const sidecar = JSON.parse(await readFile(join(filler.dir, "ranges.json"), "utf8")) as
      { ranges: [number, number][] };
    sidecar.ranges = [[0, 4 * chunk]];
    await writeFile(join(filler.dir, "ranges.json"), JSON.stringify(sidecar));
    const reader = await openEntry(cache);
    expect([reader.covers(0, 4 * chunk), reader.readable(0, 2 * chunk)]).toEqual([true, true]);
    expect(reader.readable(2 * chunk, 2 * chunk + 1)).toBe(false);
    await reader.close();
  });

  it("does not publish an entry a block of which changed after it was written, MD5 or not", async () => {
    const dir = mkdtempSync(join(tmpdir(), "roadrig-entry-"));
    dirs.push(dir);
    // A multipart-like case: no MD5 to check, only the sums recorded as blocks were written.
    const cache = new NasCache({ dir, flushBytes: 2 * chunk, verifyMd5: false });
    const first = await openEntry(cache);
    await fill(first, object, [0, 1, 2]);
    await first.close();
    const part = (await readdir(first.dir)).find((n) => n.endsWith(".part")) ?? "";
    const handle = await openFile(join(first.dir, part), "r+");
    await handle.write(Uint8Array.of((object[chunk] ?? 0) ^ 1), 0, 1, chunk);
    await handle.close();

    const second = await openEntry(cache);
    await fill(second, object, [3, 4, 5, 6]);
    const failure: unknown = await second.close().then(() => undefined, (err: unknown) => err);
    expect((failure as Error).message).toMatch(new RegExp(
      `at byte offset ${chunk}: block 1 \\(bytes ${chunk} to ${2 * chunk}\\) was written with `
      + "CRC-32 [0-9a-f]{8}, the part file now gives [0-9a-f]{8}"));
    expect((await readdir(first.dir)).filter((n) => n.startsWith("data"))).toEqual([]);
  });
});
