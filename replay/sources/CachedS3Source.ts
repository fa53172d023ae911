import type { S3Client } from "@aws-sdk/client-s3";
import type { ByteSource } from "./ByteSource.js";
import type { CacheEntry } from "./CacheEntry.js";
import { CacheEntryError } from "./CacheEntryError.js";
import { headObject } from "./headObject.js";
import type { NasCache } from "./NasCache.js";
import { RangeSet } from "./RangeSet.js";
import { newS3Client, S3Source, type S3SourceOptions } from "./S3Source.js";
import { emptyS3SourceStats, type S3SourceStats } from "./S3SourceStats.js";
import { parseS3Url, type S3Location } from "./S3Url.js";

/**
 * Why the cache stopped being used for a source; replay goes on from S3. Or, with reason
 * `lock-wait`, only a notice that opening the source's entry waits for another process's lock
 * (see NasCacheOptions.onLockWait); the cache is still used.
 */
export interface CacheWarning {
  readonly source: string;
  readonly reason: "no-space" | "cache-full" | "corrupt-entry" | "cache-error" | "lock-wait";
  readonly message: string;
  readonly error?: unknown;
  /** With reason lock-wait: the lock's path. */
  readonly lock?: string;
}

export interface CachedS3SourceStats {
  bytesFromCache: number;
  bytesFromS3: number;
  /** Requests of the HEAD at open and of the S3 source, if one was needed. */
  s3: S3SourceStats;
  /** Set once the cache was given up for this source. */
  cacheDisabled: CacheWarning["reason"] | undefined;
}

export interface CachedS3SourceOptions extends S3SourceOptions {
  readonly cache: NasCache;
  /** The library does not log: warnings (cache given up, S3 used instead) come here. */
  readonly onWarning?: (warning: CacheWarning) => void;
  /** Bytes of writes to the cache not yet done before reads wait for them (default 16 MiB). */
  readonly maxPendingWriteBytes?: number;
}

/**
 * An S3 object read through a NasCache: ranges on disk come from the cache, missing ones from
 * S3 (pinned to the entry's ETag) and are written to the cache for the next reader. Any cache
 * trouble (full disk, a corrupt entry) turns the cache off for this source with a warning;
 * the replay continues from S3 and never gets wrong or short bytes.
 */
export class CachedS3Source implements ByteSource {
  readonly stats: CachedS3SourceStats;
  private s3: Promise<S3Source> | undefined;
  private s3Opened: S3Source | undefined;
  private readonly inFlight = new RangeSet();
  private pendingBytes = 0;
  private readonly writes = new Set<Promise<void>>();

  private constructor(
    readonly name: string,
    readonly etag: string,
    private readonly bytes: number,
    private entry: CacheEntry | undefined,
    private readonly client: S3Client,
    private readonly ownClient: boolean,
    private readonly options: CachedS3SourceOptions,
    stats: CachedS3SourceStats,
  ) {
    this.stats = stats;
  }

  static async open(url: string, options: CachedS3SourceOptions): Promise<CachedS3Source> {
    const location = parseS3Url(url);
    const client = options.client ?? (await newS3Client(options.clientOptions));
    const stats: CachedS3SourceStats = {
      bytesFromCache: 0, bytesFromS3: 0, s3: emptyS3SourceStats(), cacheDisabled: undefined,
    };
    try {
      const head = await headObject(client, location, stats.s3, options.retry);
      const source = new CachedS3Source(url, head.etag, head.size, undefined, client,
        options.client === undefined, options, stats);
      await source.openEntry(location, head);
      return source;
    } catch (err) {
      if (options.client === undefined) client.destroy();
      throw err;
    }
  }

  /** True while reads go through the cache. */
  get cached(): boolean {
    return this.entry !== undefined;
  }

  /** True if [start, end) is already in the cache (as far as this process knows). */
  covers(start: number, end: number): boolean {
    return this.entry?.covers(start, Math.min(end, this.bytes)) ?? false;
  }

  /** True if this source itself wrote (or is writing) all of [start, end) to the cache. */
  stored(start: number, end: number): boolean {
    return this.inFlight.covers(start, Math.min(end, this.bytes));
  }

  size(): Promise<number> {
    return Promise.resolve(this.bytes);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.bytes, offset + length);
    if (offset >= end) return new Uint8Array(0);
    // Bytes the S3 source still holds (a cold fill's read-ahead) are served from memory, even
    // once their cache write is done: a copy instead of a file read.
    if (this.s3Opened?.holds(offset, end - offset) === true) return this.fromS3(offset, end);
    const hit = await this.fromCache(offset, end);
    if (hit !== undefined) return hit;

    return this.fromS3(offset, end);
  }

  private async fromS3(offset: number, end: number): Promise<Uint8Array> {
    // The S3 source hands each whole chunk it fetches (read-ahead too) to store(), so disk
    // writes overlap the next downloads and only the bytes asked for are copied here.
    const s3 = await this.s3Source();
    const fetched = await s3.read(offset, end - offset);
    this.stats.bytesFromS3 += fetched.length;
    await this.backpressure();
    return fetched;
  }

  /** Waits for the cache writes in progress and records them in the entry's sidecar. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.writes]);
    await this.entry?.flush().catch((err: unknown) => this.giveUp(err, false));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.writes]);
    const entry = this.entry;
    this.entry = undefined;
    if (entry !== undefined) {
      await entry.close().catch((err: unknown) => this.warn(reasonOf(err), err));
    }
    if (this.s3 !== undefined) await (await this.s3.catch(() => undefined))?.close();
    if (this.ownClient) this.client.destroy();
  }

  private async openEntry(
    location: S3Location,
    head: { size: number; etag: string },
  ): Promise<void> {
    try {
      this.entry = await this.options.cache.openEntry({ ...location, ...head });
      if (this.entry === undefined) {
        const limit = this.options.cache.maxBytes;
        // Eviction cannot help an object larger than the whole cache: say so, not "in use".
        const why = head.size > limit
          ? `the object is larger than the cache's limit of ${limit} bytes`
          : "every entry is in use or may not be removed by this process (another user's)";
        this.warn("cache-full", new Error(
          `${this.options.cache.dir}: no room for ${head.size} bytes: ${why}`));
      }
    } catch (err) {
      this.warn(reasonOf(err), err);
    }
  }

  private async fromCache(offset: number, end: number): Promise<Uint8Array | undefined> {
    const entry = this.entry;
    if (entry === undefined) return undefined;
    try {
      if (!entry.readable(offset, end) && !this.inFlight.covers(offset, end)) await entry.refresh();
      if (!entry.readable(offset, end)) return undefined;
      const bytes = await entry.read(offset, end);
      this.stats.bytesFromCache += bytes.length;
      return bytes;
    } catch (err) {
      // Only proven bad bytes (a short file) condemn the entry for everyone.
      await this.giveUp(err, err instanceof CacheEntryError);
      return undefined;
    }
  }

  /**
   * Writes in the background; reads never wait for the disk unless too much is queued. The
   * promise tells the S3 source when it may reuse the buffer.
   */
  private store(start: number, bytes: Uint8Array): Promise<unknown> | undefined {
    const entry = this.entry;
    const end = start + bytes.length;
    if (entry === undefined || entry.covers(start, end) || this.inFlight.covers(start, end)) {
      return undefined;
    }
    this.inFlight.add(start, end);
    this.pendingBytes += bytes.length;
    const lent = entry.lend(start, bytes);
    const write: Promise<void> = entry.write(start, bytes)
      .catch((err: unknown) => this.giveUp(err, false))
      .finally(() => {
        this.pendingBytes -= bytes.length;
        this.writes.delete(write);
      });
    this.writes.add(write);
    // Reads wait only for the write; the buffer stays the MD5 worker's until it gives it back.
    return lent === undefined ? write : Promise.all([write, lent]);
  }

  private async backpressure(): Promise<void> {
    const limit = this.options.maxPendingWriteBytes ?? 16 * 1024 * 1024;
    while (this.pendingBytes > limit && this.writes.size > 0) await Promise.race(this.writes);
  }

  private s3Source(): Promise<S3Source> {
    const known = {
      client: this.client, etag: this.etag, size: this.bytes,
      // The MD5 worker then hashes the chunks in place, instead of reading the file back.
      sharedChunks: this.entry?.hashing === true,
      onChunk: (start: number, bytes: Uint8Array) => this.store(start, bytes),
    };
    this.s3 ??= S3Source.open(this.name, { ...this.options, ...known })
      .then((source) => {
        // One set of figures for the whole source: the HEAD's, then the ranged GETs'.
        addStats(source.stats, this.stats.s3);
        this.stats.s3 = source.stats;
        this.s3Opened = source;
        return source;
      });
    return this.s3;
  }

  private async giveUp(err: unknown, discard: boolean): Promise<void> {
    const entry = this.entry;
    if (entry === undefined) return;
    this.entry = undefined;
    this.warn(reasonOf(err), err);
    if (discard) await entry.discard().catch(() => undefined);
    await entry.close().catch(() => undefined);
  }

  private warn(reason: CacheWarning["reason"], error: unknown): void {
    this.stats.cacheDisabled ??= reason;
    const message = error instanceof Error ? error.message : String(error);
    this.options.onWarning?.({ source: this.name, reason, message, error });
  }
}

function reasonOf(err: unknown): CacheWarning["reason"] {
  const code = (err as { code?: unknown }).code;
  if (code === "ENOSPC" || code === "EDQUOT") return "no-space";
  if (code === "CACHE_ENTRY_CORRUPT") return "corrupt-entry";
  return "cache-error";
}

function addStats(into: S3SourceStats, from: S3SourceStats): void {
  into.requests += from.requests;
  into.retries += from.retries;
  into.bytesFetched += from.bytesFetched;
  into.lastRetry ??= from.lastRetry;
}
