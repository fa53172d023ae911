import type { S3Client } from "@aws-sdk/client-s3";
import { CachedS3Source, type CacheWarning } from "./CachedS3Source.js";
import type { NasCache } from "./NasCache.js";
import { defaultChunkBytes } from "./S3Source.js";

export interface PrefetchProgress {
  readonly objects: number;
  readonly objectsDone: number;
  /** Bytes of the objects opened so far (sizes are learned as objects are opened). */
  readonly bytesKnown: number;
  readonly bytesDone: number;
}

export interface PrefetchOptions {
  readonly cache: NasCache;
  readonly client: S3Client;
  /** Objects filled at once (default 2). */
  readonly parallel?: number;
  readonly chunkBytes?: number;
  readonly readAheadBytes?: number;
  readonly onProgress?: (progress: PrefetchProgress) => void;
  readonly onWarning?: (warning: CacheWarning) => void;
  /**
   * Stops the prefetch (Ctrl-C): the chunk being read is finished, each open object is closed,
   * which records the ranges it wrote, so the next prefetch fetches only the rest.
   */
  readonly signal?: AbortSignal;
}

export interface PrefetchedObject {
  readonly url: string;
  readonly size: number;
  readonly fetchedBytes: number;
  readonly cached: boolean;
}

export interface PrefetchResult {
  readonly done: PrefetchedObject[];
  readonly failed: { readonly url: string; readonly error: Error }[];
}

/**
 * Fills the cache with whole objects ahead of a replay, fetching only ranges not yet cached.
 * One failed object does not stop the others; the result lists each.
 */
export async function prefetchToCache(
  urls: readonly string[],
  options: PrefetchOptions,
): Promise<PrefetchResult> {
  const result: { done: PrefetchedObject[]; failed: { url: string; error: Error }[] } = {
    done: [], failed: [],
  };
  const progress = { objects: urls.length, objectsDone: 0, bytesKnown: 0, bytesDone: 0 };
  const queue = [...urls];
  const worker = async (): Promise<void> => {
    for (let url = queue.shift(); url !== undefined && options.signal?.aborted !== true;
      url = queue.shift()) {
      try {
        result.done.push(await prefetchOne(url, options, progress));
      } catch (err) {
        result.failed.push({ url, error: err instanceof Error ? err : new Error(String(err)) });
      }
      progress.objectsDone++;
      options.onProgress?.({ ...progress });
    }
  };
  const parallel = Math.max(1, options.parallel ?? 2);
  await Promise.all(Array.from({ length: Math.min(parallel, urls.length) }, worker));
  return result;
}

async function prefetchOne(
  url: string,
  options: PrefetchOptions,
  progress: { -readonly [K in keyof PrefetchProgress]: PrefetchProgress[K] },
): Promise<PrefetchedObject> {
  const chunk = options.chunkBytes ?? defaultChunkBytes;
  const source = await CachedS3Source.open(url, {
    cache: options.cache,
    client: options.client,
    chunkBytes: chunk,
    ...(options.readAheadBytes === undefined ? {} : { readAheadBytes: options.readAheadBytes }),
    ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
  });
  try {
    const size = await source.size();
    progress.bytesKnown += size;
    let fetched = 0;
    for (let pos = 0; pos < size; pos += chunk) {
      if (options.signal?.aborted === true) {
        throw Object.assign(new Error(`${url}: prefetch stopped at byte offset ${pos} of ${size}`),
          { code: "E_INTERRUPTED" });
      }
      const end = Math.min(size, pos + chunk);
      // A chunk this source's read-ahead already wrote is covered by the time the loop gets
      // there, but it was fetched all the same.
      if (source.stored(pos, end)) fetched += end - pos;
      else if (!source.covers(pos, end)) {
        await source.read(pos, end - pos);
        fetched += end - pos;
      }
      progress.bytesDone += end - pos;
      options.onProgress?.({ ...progress });
    }
    await source.flush();
    return { url, size, fetchedBytes: fetched, cached: source.cached };
  } finally {
    await source.close();
  }
}
