import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NasCache } from "../../../replay/sources/NasCache.js";
import { newS3Client } from "../../../replay/sources/S3Source.js";
import { prefetchToCache } from "../../../replay/sources/prefetchToCache.js";
import { s3ClientOptionsFor, startS3rver, type RunningS3rver } from "../../support/startS3rver.js";

describe("prefetchToCache", () => {
  let s3: RunningS3rver;
  let root: string;
  const size = 3 * 1024 * 1024 + 123;

  beforeAll(async () => {
    s3 = await startS3rver(["drive-logs"]);
    await s3.put("drive-logs", "big.log", new Uint8Array(randomBytes(size)));
    root = await mkdtemp(join(tmpdir(), "roadrig-prefetch-"));
  });
  afterAll(async () => {
    await s3.close();
    await rm(root, { recursive: true, force: true });
  });

  it("counts as fetched every byte a cold prefetch downloaded, read-ahead chunks included", async () => {
    const client = await newS3Client(s3ClientOptionsFor(s3.endpoint));
    try {
      for (let run = 0; run < 5; run++) {
        const cache = new NasCache({ dir: join(root, `c${run}`) });
        const result = await prefetchToCache(["s3://drive-logs/big.log"], {
          cache, client, chunkBytes: 64 * 1024, readAheadBytes: size,
        });
        expect(result.failed).toEqual([]);
        // Every chunk came from S3 in this run: none was in the cache before it started.
        expect(result.done.map((o) => [o.fetchedBytes, o.cached])).toEqual([[size, true]]);
        const warm = await prefetchToCache(["s3://drive-logs/big.log"], { cache, client });
        expect(warm.done.map((o) => o.fetchedBytes)).toEqual([0]);
      }
    } finally {
      client.destroy();
    }
  });
  it("stops on its signal with what it wrote recorded: the next prefetch fetches only the rest", async () => {
    const client = await newS3Client(s3ClientOptionsFor(s3.endpoint));
    try {
      const cache = new NasCache({ dir: join(root, "stopped") });
      const stop = new AbortController();
      const chunk = 64 * 1024;
      const stopped = await prefetchToCache(["s3://drive-logs/big.log"], {
        cache, client, chunkBytes: chunk, readAheadBytes: chunk, signal: stop.signal,
        onProgress: (p) => { if (p.bytesDone >= 1024 * 1024) stop.abort(); },
      });
      expect(stopped.done).toEqual([]);
      expect(stopped.failed.map((f) => [f.url, (f.error as { code?: string }).code]))
        .toEqual([["s3://drive-logs/big.log", "E_INTERRUPTED"]]);
      const resumed = await prefetchToCache(["s3://drive-logs/big.log"], { cache, client, chunkBytes: chunk });
      expect(resumed.failed).toEqual([]);
      const fetched = resumed.done[0]?.fetchedBytes ?? size;
      expect(fetched).toBeLessThanOrEqual(size - 1024 * 1024);
      expect(resumed.done[0]?.cached).toBe(true);
    } finally {
      client.destroy();
    }
  });
});
