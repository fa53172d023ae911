import type { S3Client } from "@aws-sdk/client-s3";
import { setTimeout as delay } from "node:timers/promises";
import { backoffDelayMs, defaultRetryPolicy, isRetryable, type RetryPolicy } from "./RetryPolicy.js";
import { S3ReadError } from "./S3ReadError.js";
import type { S3SourceStats } from "./S3SourceStats.js";
import { formatS3Url, type S3Location } from "./S3Url.js";
import { loadS3Sdk } from "./loadS3Sdk.js";

/** Size and ETag of an object, with the same retries as ranged reads. */
export async function headObject(
  client: S3Client,
  location: S3Location,
  stats: S3SourceStats,
  retry: RetryPolicy = defaultRetryPolicy,
): Promise<{ size: number; etag: string }> {
  const url = formatS3Url(location);
  const { HeadObjectCommand } = await loadS3Sdk();
  for (let attempt = 1; ; attempt++) {
    stats.requests++;
    try {
      const out = await client.send(new HeadObjectCommand({
        Bucket: location.bucket, Key: location.key,
      }));
      if (out.ETag === undefined || out.ContentLength === undefined) {
        throw new S3ReadError(url, 0, "HEAD reply without ETag or Content-Length");
      }
      return { size: out.ContentLength, etag: out.ETag };
    } catch (err) {
      if (err instanceof S3ReadError) throw err;
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const what = status === undefined ? String(err) : `${status} ${(err as Error).name}`;
      if (!isRetryable(err) || attempt >= retry.maxAttempts) {
        throw new S3ReadError(url, 0, `HEAD failed: ${what}`, { cause: err });
      }
      stats.retries++;
      stats.lastRetry = `HEAD failed: ${what}`;
      await delay(backoffDelayMs(retry, attempt - 1));
    }
  }
}
