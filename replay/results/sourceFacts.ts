import type { LogReader } from "../formats/LogReader.js";
import type { ByteSource } from "../sources/ByteSource.js";
import { CachedS3Source } from "../sources/CachedS3Source.js";
import { S3Source } from "../sources/S3Source.js";
import type { S3SourceStats } from "../sources/S3SourceStats.js";
import { SourceMirror } from "../worker/SourceMirror.js";
import type { SourceFacts } from "./RunReport.js";

/** What the report says of one log: size, format, ETag, and what reading it from S3 cost. */
export async function sourceFacts(source: ByteSource, reader: LogReader): Promise<SourceFacts> {
  const etag = source instanceof S3Source || source instanceof CachedS3Source
    || source instanceof SourceMirror ? source.etag : undefined;
  return {
    name: source.name,
    format: reader.describe().format,
    size: await source.size(),
    ...(etag !== undefined ? { etag } : {}),
    ...readCounters(source),
  };
}

/** The S3 and cache counters of a source as they stand now (copies, not live objects). */
export function readCounters(source: ByteSource): Pick<SourceFacts, "s3" | "cache"> {
  if (source instanceof S3Source) return { s3: { ...source.stats } };
  if (source instanceof SourceMirror) return mirroredCounters(source);
  if (!(source instanceof CachedS3Source)) return {};
  const { bytesFromCache, bytesFromS3, cacheDisabled, s3 } = source.stats;
  const cache = {
    bytesFromCache,
    bytesFromS3,
    ...(cacheDisabled ? { disabled: cacheDisabled } : {}),
  };
  return { s3: { ...s3 }, cache };
}

/** The live S3 counters of a source, or undefined for a local file. */
export function s3StatsOf(source: ByteSource): S3SourceStats | undefined {
  if (source instanceof S3Source) return source.stats;
  if (source instanceof CachedS3Source) return source.stats.s3;
  if (source instanceof SourceMirror) return source.counters.s3;
  return undefined;
}

/** A source read in a worker thread: the counters it last sent. */
function mirroredCounters(source: SourceMirror): Pick<SourceFacts, "s3" | "cache"> {
  const { s3, cache } = source.counters;
  return { ...(s3 ? { s3: { ...s3 } } : {}), ...(cache ? { cache: { ...cache } } : {}) };
}
