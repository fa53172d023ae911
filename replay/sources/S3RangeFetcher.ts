import type { S3Client } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { chunkBuffer } from "./chunkBuffer.js";
import { parseContentRange } from "./contentRange.js";
import { readBody } from "./readBody.js";
import { backoffDelayMs, defaultRetryPolicy, isRetryable, type RetryPolicy } from "./RetryPolicy.js";
import { S3ObjectChangedError } from "./S3ObjectChangedError.js";
import { S3ReadError } from "./S3ReadError.js";
import type { S3SourceStats } from "./S3SourceStats.js";
import { formatS3Url, type S3Location } from "./S3Url.js";
import { loadS3Sdk } from "./loadS3Sdk.js";

export interface S3RangeFetcherOptions {
  readonly retry?: RetryPolicy;
  /** A body that sends nothing for this long is treated as a dropped connection. */
  readonly idleTimeoutMs?: number;
  /** Pin this ETag from the start (else the first reply's ETag is pinned). */
  readonly etag?: string;
  readonly random?: () => number;
  /**
   * Fetch into SharedArrayBuffers, so that a worker thread can read the chunks in place (the
   * cache hashes them as they arrive instead of reading its file back).
   */
  readonly sharedChunks?: boolean;
}

/** Bytes of one ranged GET and the object size the reply declared. */
export interface RangeReply {
  readonly bytes: Uint8Array;
  readonly objectSize: number;
}

/** One range being filled, possibly over several requests. */
interface Fill {
  readonly start: number;
  readonly end: number;
  buf: Uint8Array | undefined;
  got: number;
  objectSize: number | undefined;
  /** A buffer to fill instead of allocating one, if large enough. */
  readonly spare: Uint8Array | undefined;
}

/**
 * Ranged GETs of one object, pinned to one ETag (sent as If-Match), retried with backoff, and
 * resumed from the last byte received when a body breaks off mid-stream.
 */
export class S3RangeFetcher {
  readonly url: string;
  private pinned: string | undefined;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly client: S3Client,
    private readonly location: S3Location,
    private readonly stats: S3SourceStats,
    private readonly options: S3RangeFetcherOptions = {},
  ) {
    this.url = formatS3Url(location);
    this.pinned = options.etag;
    this.retry = options.retry ?? defaultRetryPolicy;
  }

  get etag(): string | undefined {
    return this.pinned;
  }

  /**
   * Bytes [start, end) or fewer at the end of the object; an empty reply at or past the end.
   * Never asks beyond a size already learned.
   */
  async fetch(start: number, end: number, spare?: Uint8Array): Promise<RangeReply> {
    const fill: Fill = { start, end, buf: undefined, got: 0, objectSize: undefined, spare };
    let failures = 0;
    for (;;) {
      const before = fill.got;
      try {
        await this.attempt(fill);
        if (fill.buf !== undefined && fill.got === fill.buf.length) {
          return { bytes: fill.buf, objectSize: fill.objectSize ?? start + fill.got };
        }
        failures = fill.got > before ? 0 : failures + 1;
      } catch (err) {
        if (!isRetryable(err)) throw this.wrap(err, start + fill.got);
        failures = fill.got > before ? 1 : failures + 1;
        if (failures >= this.retry.maxAttempts) {
          throw new S3ReadError(this.url, start + fill.got,
            `gave up after ${failures} attempts without progress: ${describe(err)}`, { cause: err });
        }
      }
      this.stats.retries++;
      await delay(backoffDelayMs(this.retry, Math.max(0, failures - 1), this.options.random));
    }
  }

  private async attempt(fill: Fill): Promise<void> {
    const from = fill.start + fill.got;
    const to = fill.buf === undefined ? fill.end : fill.start + fill.buf.length;
    this.stats.requests++;
    let out;
    try {
      const { GetObjectCommand } = await loadS3Sdk();
      out = await this.client.send(new GetObjectCommand({
        Bucket: this.location.bucket,
        Key: this.location.key,
        Range: `bytes=${from}-${to - 1}`,
        ...(this.pinned === undefined ? {} : { IfMatch: this.pinned }),
      }));
    } catch (err) {
      return this.onErrorReply(err, fill, from);
    }
    const body = out.Body as Readable | undefined;
    try {
      this.checkEtag(out.ETag, from);
    } catch (err) {
      body?.destroy();
      throw err;
    }
    const status = out.$metadata.httpStatusCode;
    if (status === 206) return this.readPartial(fill, from, out.ContentRange, body);
    if (status === 200) return this.readWhole(fill, from, out.ContentLength, body);
    body?.destroy();
    throw new S3ReadError(this.url, from, `expected status 206 or 200, found ${status}`);
  }

  private async readPartial(
    fill: Fill, from: number, header: string | undefined, body: Readable | undefined,
  ): Promise<void> {
    const range = header === undefined ? undefined : parseContentRange(header);
    if (range?.kind === "unsatisfied" && from >= range.total) {
      body?.destroy();
      return this.atEnd(fill, from, range.total);
    }
    if (range?.kind !== "range" || range.start !== from || body === undefined) {
      body?.destroy();
      throw new S3ReadError(this.url, from,
        `expected Content-Range "bytes ${from}-…", found ${JSON.stringify(header ?? null)}`);
    }
    if (range.total !== undefined) fill.objectSize = range.total;
    // The reply, not the request, says where the object ends (a short last range).
    const buf = this.ensureBuffer(fill, range.total ?? range.end);
    const stop = Math.min(fill.start + buf.length, range.end);
    await readBody(body, buf.subarray(0, stop - fill.start), fill.got, 0,
      this.idleMs(), (n) => this.progress(fill, n));
  }

  private async readWhole(
    fill: Fill, from: number, length: number | undefined, body: Readable | undefined,
  ): Promise<void> {
    if (length === undefined || body === undefined) {
      body?.destroy();
      throw new S3ReadError(this.url, from, "a 200 reply to a Range request without Content-Length");
    }
    // The store ignored Range and sent the whole object: skip to the requested bytes.
    this.stats.rangeIgnored++;
    fill.objectSize = length;
    const buf = this.ensureBuffer(fill, length);
    if (from >= length) {
      body.destroy();
      return;
    }
    await readBody(body, buf, fill.got, from, this.idleMs(), (n) => this.progress(fill, n));
  }

  private ensureBuffer(fill: Fill, objectEnd: number): Uint8Array {
    if (fill.buf === undefined) {
      const n = Math.max(0, Math.min(fill.end, objectEnd) - fill.start);
      fill.buf = fill.spare !== undefined && fill.spare.length >= n ? fill.spare.subarray(0, n)
        : chunkBuffer(n, this.options.sharedChunks === true);
    }
    return fill.buf;
  }

  private progress(fill: Fill, n: number): void {
    fill.got += n;
    this.stats.bytesFetched += n;
  }

  private async onErrorReply(err: unknown, fill: Fill, from: number): Promise<void> {
    const reply = errorReply(err);
    if (reply?.status === 416) {
      // Some stores check Range before If-Match: a replaced, smaller object then answers 416,
      // and the clear error is that the object changed, not that the range is out of bounds.
      if (this.pinned !== undefined) await this.failIfChanged(reply.headers.etag, from);
      const range = parseContentRange(reply.headers["content-range"] ?? "");
      // A 416 at or past the end is EOF; on a 0-byte object even the first range gets it.
      if (range?.kind === "unsatisfied" && from >= range.total) {
        return this.atEnd(fill, from, range.total);
      }
    }
    if (reply?.status === 412 && this.pinned !== undefined) {
      throw new S3ObjectChangedError(this.url, this.pinned, await this.currentEtag(), from);
    }
    throw err;
  }

  /** The reply says the object ends at `total`, at or before `from`. */
  private atEnd(fill: Fill, from: number, total: number): void {
    fill.objectSize = total;
    this.ensureBuffer(fill, total);
    if (fill.buf !== undefined && fill.got < fill.buf.length) {
      throw new S3ReadError(this.url, from, `object shrank to ${total} bytes`);
    }
  }

  private async failIfChanged(replyEtag: string | undefined, from: number): Promise<void> {
    const pinned = this.pinned;
    if (pinned === undefined) return;
    const now = replyEtag ?? (await this.currentEtag());
    if (now !== pinned) throw new S3ObjectChangedError(this.url, pinned, now, from);
  }

  private checkEtag(etag: string | undefined, offset: number): void {
    if (etag === undefined) return;
    this.pinned ??= etag;
    if (etag !== this.pinned) throw new S3ObjectChangedError(this.url, this.pinned, etag, offset);
  }

  /** Best effort, only for the error message. */
  private async currentEtag(): Promise<string | undefined> {
    try {
      const { HeadObjectCommand } = await loadS3Sdk();
      const head = await this.client.send(new HeadObjectCommand({
        Bucket: this.location.bucket, Key: this.location.key,
      }));
      return head.ETag;
    } catch {
      return undefined;
    }
  }

  private idleMs(): number {
    return this.options.idleTimeoutMs ?? 30_000;
  }

  private wrap(err: unknown, offset: number): Error {
    if (err instanceof S3ObjectChangedError || err instanceof S3ReadError) return err;
    return new S3ReadError(this.url, offset, describe(err), { cause: err });
  }
}

function errorReply(err: unknown): { status: number; headers: Record<string, string> } | undefined {
  type WithResponse = { $response?: { statusCode?: number; headers?: Record<string, string> } };
  const response = (err as WithResponse).$response;
  if (response?.statusCode === undefined) return undefined;
  return { status: response.statusCode, headers: response.headers ?? {} };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const text = `${err.name}: ${err.message}`;
  return status === undefined ? text : `${status} ${text}`;
}
