import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  mkdtemp, open as openFile, readdir, readFile, rm, truncate, writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CachedS3Source, type CacheWarning } from "../../../replay/sources/CachedS3Source.js";
import { NasCache, type NasCacheOptions } from "../../../replay/sources/NasCache.js";
import { dataPath, hasShared } from "../../support/sharedData.js";
import { firstDifference } from "../../support/sameBytes.js";
import { s3ClientOptionsFor, startS3rver, type RunningS3rver } from "../../support/startS3rver.js";

const log = "mf4/api-examples__7512BE4D_00000427_00000001.MF4";
const chunk = 64 * 1024;

describe.skipIf(!hasShared)("CachedS3Source over s3rver", () => {
  let s3: RunningS3rver;
  let expected: Uint8Array;
  let root: string;
  let n = 0;

  beforeAll(async () => {
    s3 = await startS3rver(["drive-logs"]);
    expected = new Uint8Array(readFileSync(dataPath(log)));
    await s3.put("drive-logs", log, expected);
    root = await mkdtemp(join(tmpdir(), "roadrig-cache-"));
  });
  afterAll(async () => {
    await s3.close();
    await rm(root, { recursive: true, force: true });
  });

  function newCache(options: Partial<NasCacheOptions> = {}): NasCache {
    return new NasCache({ dir: join(root, `cache-${n++}`), flushBytes: 4 * chunk, ...options });
  }

  async function open(cache: NasCache, key = log, warnings: CacheWarning[] = []) {
    return CachedS3Source.open(`s3://drive-logs/${key}`, {
      cache,
      clientOptions: s3ClientOptionsFor(s3.endpoint),
      chunkBytes: chunk,
      readAheadBytes: 4 * chunk,
      onWarning: (w) => warnings.push(w),
    });
  }

  async function readRange(source: CachedS3Source, from: number, to: number): Promise<Uint8Array> {
    const out = new Uint8Array(to - from);
    for (let pos = from; pos < to; pos += 10_000) {
      out.set(await source.read(pos, Math.min(10_000, to - pos)), pos - from);
    }
    return out;
  }

  it("fills the cache on a cold read and serves a warm read without GETs", async () => {
    const cache = newCache();
    const cold = await open(cache);
    expect(firstDifference(await readRange(cold, 0, expected.length), expected)).toBe(-1);
    await cold.close();
    expect(cold.stats.bytesFromS3).toBe(expected.length);

    const [entry] = (await cache.status()).entries;
    expect(entry).toMatchObject({ complete: true, size: expected.length, inUse: 0 });
    const onDisk = await readFile(join(entry?.dir ?? "", "data"));
    expect(firstDifference(onDisk, expected)).toBe(-1);

    const warm = await open(cache);
    expect(firstDifference(await readRange(warm, 0, expected.length), expected)).toBe(-1);
    expect(warm.stats).toMatchObject({ bytesFromS3: 0, bytesFromCache: expected.length });
    expect(warm.stats.s3.requests).toBe(1);
    await warm.close();
  });

  it("keeps a partial entry across a restart and fetches only what is missing", async () => {
    const cache = newCache();
    const half = 10 * chunk;
    const first = await open(cache);
    await readRange(first, 0, half);
    await first.close();
    const [entry] = (await cache.status()).entries;
    expect(entry?.complete).toBe(false);
    const sidecar = JSON.parse(await readFile(join(entry?.dir ?? "", "ranges.json"), "utf8")) as
      { ranges: [number, number][] };
    // What was read is kept, and so are read-ahead chunks that arrived before the close: whole
    // chunks past `half`, possibly with a gap where one was still in flight.
    const { ranges } = sidecar;
    expect(ranges[0]?.[0]).toBe(0);
    expect(ranges[0]?.[1]).toBeGreaterThanOrEqual(half);
    for (const [from, to] of ranges) {
      expect(from % chunk).toBe(0);
      expect(to % chunk === 0 || to === expected.length).toBe(true);
    }
    expect(entry?.filledBytes).toBe(ranges.reduce((n, [from, to]) => n + to - from, 0));
    expect(entry?.filledBytes).toBeLessThan(expected.length);

    const second = await open(cache);
    expect(firstDifference(await readRange(second, 0, expected.length), expected)).toBe(-1);
    // A read is served whole from the cache or whole from S3: from the cache when it lies
    // inside a filled range.
    let fromCache = 0;
    for (let pos = 0; pos < expected.length; pos += 10_000) {
      const end = Math.min(pos + 10_000, expected.length);
      if (ranges.some(([from, to]) => from <= pos && end <= to)) fromCache += end - pos;
    }
    expect(second.stats.bytesFromCache).toBe(fromCache);
    expect(second.stats.bytesFromS3).toBe(expected.length - fromCache);
    await second.close();
    expect((await cache.status()).entries[0]?.complete).toBe(true);
  });

  it("does not use a truncated complete entry and fills it again", async () => {
    const cache = newCache();
    const cold = await open(cache);
    await readRange(cold, 0, expected.length);
    await cold.close();
    const dir = (await cache.status()).entries[0]?.dir ?? "";
    await truncate(join(dir, "data"), 1000);

    const again = await open(cache);
    expect(firstDifference(await readRange(again, 0, expected.length), expected)).toBe(-1);
    // Nothing of the old entry is served: the first read (which its 1000 bytes could not
    // answer whole) comes from S3. Later reads may come from the entry as it fills again.
    expect(again.stats.bytesFromS3).toBeGreaterThanOrEqual(10_000);
    expect(again.stats.bytesFromS3 + again.stats.bytesFromCache).toBe(expected.length);
    await again.close();
    expect((await cache.status()).entries[0]).toMatchObject({ complete: true });
  });

  it("never serves a published entry with a byte changed on disk: the replay goes on from S3", async () => {
    const cache = newCache();
    const cold = await open(cache);
    await readRange(cold, 0, expected.length);
    await cold.close();
    const dir = (await cache.status()).entries[0]?.dir ?? "";
    expect(await readdir(dir)).toContain("sums");
    // Bit rot on the NAS after publication, in the fifth 64 KiB block.
    const at = 300_000;
    const handle = await openFile(join(dir, "data"), "r+");
    await handle.write(Uint8Array.of((expected[at] ?? 0) ^ 0x01), 0, 1, at);
    await handle.close();

    const warnings: CacheWarning[] = [];
    const warm = await open(cache, log, warnings);
    expect(firstDifference(await readRange(warm, 0, expected.length), expected)).toBe(-1);
    expect(warnings.map((w) => w.reason)).toEqual(["corrupt-entry"]);
    expect(warnings[0]?.message).toMatch(
      /data: at byte offset 262144: block 4 \(bytes 262144 to 327680\) has CRC-32 [0-9a-f]{8}, its sum recorded at publication is [0-9a-f]{8}/);
    // The bytes before the bad block came from the cache; from it on, from S3.
    expect(warm.stats.bytesFromCache).toBeLessThan(262_144 + 10_000);
    expect(warm.stats.bytesFromCache + warm.stats.bytesFromS3).toBe(expected.length);
    await warm.close();
    expect(await readdir(dir)).not.toContain("data");
  });

  it("never serves a byte changed on disk in a partial entry's recorded ranges", async () => {
    const cache = newCache();
    const first = await open(cache);
    await readRange(first, 0, 8 * chunk);
    await first.close();
    const dir = (await cache.status()).entries[0]?.dir ?? "";
    const part = (await readdir(dir)).find((f) => f.endsWith(".part")) ?? "";
    const handle = await openFile(join(dir, part), "r+");
    await handle.write(Uint8Array.of((expected[3 * chunk + 7] ?? 0) ^ 0x04), 0, 1, 3 * chunk + 7);
    await handle.close();

    const warnings: CacheWarning[] = [];
    const second = await open(cache, log, warnings);
    expect(firstDifference(await readRange(second, 0, expected.length), expected)).toBe(-1);
    expect(warnings.map((w) => w.reason)).toEqual(["corrupt-entry"]);
    expect(warnings[0]?.message).toContain(`${part}: at byte offset ${3 * chunk}: block 3`);
    expect(warnings[0]?.message).toContain("its sum recorded when it was written");
    expect(second.stats.bytesFromCache).toBeLessThanOrEqual(3 * chunk);
    await second.close();
  });

  it("falls back to S3 with a warning when the part file is cut short under a reader", async () => {
    const cache = newCache();
    const warnings: CacheWarning[] = [];
    const source = await open(cache, log, warnings);
    await readRange(source, 0, 8 * chunk);
    await source.flush();
    const dir = (await cache.status()).entries[0]?.dir ?? "";
    const part = (await readdir(dir)).find((f) => f.endsWith(".part")) ?? "";
    await truncate(join(dir, part), 3 * chunk);

    expect(firstDifference(await readRange(source, 0, expected.length), expected)).toBe(-1);
    expect(warnings.map((w) => w.reason)).toEqual(["corrupt-entry"]);
    expect(warnings[0]?.message).toContain(`at byte offset ${3 * chunk}`);
    expect(source.cached).toBe(false);
    await source.close();
  });

  it("refuses to publish an entry whose MD5 does not match its single-part ETag", async () => {
    const cache = newCache();
    const first = await open(cache);
    await readRange(first, 0, chunk);
    await first.close();
    const dir = (await cache.status()).entries[0]?.dir ?? "";
    const part = (await readdir(dir)).find((f) => f.endsWith(".part")) ?? "";
    // Bit rot in a range already recorded as filled, before another reader completes the entry.
    await writeFile(join(dir, part), Buffer.alloc(100, 0xee), { flag: "r+" });

    const warnings: CacheWarning[] = [];
    const second = await open(cache, log, warnings);
    await readRange(second, chunk, expected.length);
    await second.close();
    expect(warnings.map((w) => w.reason)).toEqual(["corrupt-entry"]);
    expect(warnings[0]?.message).toMatch(/expected MD5 [0-9a-f]{32} \(the ETag\), found/);
    expect(await readdir(dir)).not.toContain("data");

    const again = await open(cache);
    expect(firstDifference(await readRange(again, 0, expected.length), expected)).toBe(-1);
    await again.close();
    const md5 = createHash("md5").update(await readFile(join(dir, "data"))).digest("hex");
    expect(again.etag).toBe(`"${md5}"`);
  });

  it("evicts the least recently used entries but never one in use", async () => {
    const small = expected.subarray(0, 300_000);
    for (const k of ["a", "b", "c"]) await s3.put("drive-logs", `evict/${k}`, small);
    const cache = newCache({ maxBytes: 700_000 });
    const fill = async (key: string) => {
      const s = await open(cache, key);
      await readRange(s, 0, 300_000);
      return s;
    };
    await (await fill("evict/a")).close();
    const b = await fill("evict/b");
    await b.flush();
    const c = await fill("evict/c");
    await c.flush();
    const keys = (await cache.status()).entries.map((e) => e.key).sort();
    expect(keys).toEqual(["evict/b", "evict/c"]);

    const warnings: CacheWarning[] = [];
    const d = await open(cache, "evict/a", warnings);
    expect(warnings.map((w) => w.reason)).toEqual(["cache-full"]);
    expect(warnings[0]?.message).toContain("no room for 300000 bytes: every entry is in use");
    expect(firstDifference(await readRange(d, 0, 300_000), small)).toBe(-1);
    await Promise.all([b.close(), c.close(), d.close()]);
  });

  it("says an object larger than the whole cache does not fit, not that entries are in use", async () => {
    const cache = newCache({ maxBytes: 1000 });
    const warnings: CacheWarning[] = [];
    const source = await open(cache, log, warnings);
    expect(warnings.map((w) => w.reason)).toEqual(["cache-full"]);
    expect(warnings[0]?.message).toContain(
      `no room for ${expected.length} bytes: the object is larger than the cache's limit of 1000 bytes`);
    expect(firstDifference(await readRange(source, 0, expected.length), expected)).toBe(-1);
    await source.close();
  });
});
