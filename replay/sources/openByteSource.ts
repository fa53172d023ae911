import type { ByteSource } from "./ByteSource.js";
import { CachedS3Source, type CacheWarning } from "./CachedS3Source.js";
import { FileSource } from "./FileSource.js";
import type { NasCache } from "./NasCache.js";
import { quickStartFirstBytes, S3Source, type S3SourceOptions } from "./S3Source.js";

export interface ByteSourceOptions {
  /** For `s3://` URLs: client, chunk size, read-ahead. */
  s3?: S3SourceOptions;
  /** Reads `s3://` logs through this NAS cache. */
  cache?: NasCache;
  /** Cache trouble (given up, S3 used instead): the library reports, the caller logs. */
  onCacheWarning?: (warning: CacheWarning) => void;
}

/**
 * The bytes of a local path or an `s3://` URL (through the cache if one is given). Apart from
 * the log formats, so that a reader can start fetching a log while the parsers still load.
 */
export function openByteSource(
  pathOrUrl: string,
  options: ByteSourceOptions = {},
): Promise<ByteSource> {
  if (!pathOrUrl.startsWith("s3://")) return FileSource.open(pathOrUrl);
  const { cache, onCacheWarning } = options;
  // A log is read from its start: a small first request gets the parser going sooner.
  if (!cache) return S3Source.open(pathOrUrl, { firstBytes: quickStartFirstBytes, ...options.s3 });
  return CachedS3Source.open(pathOrUrl, {
    ...options.s3,
    cache,
    ...(onCacheWarning ? { onWarning: onCacheWarning } : {}),
  });
}
