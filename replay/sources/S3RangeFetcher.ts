import type { S3Client } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { parseContentRange } from "./contentRange.js";
import { defaultRetryPolicy, type RetryPolicy } from "./RetryPolicy.js";
import { S3ObjectChangedError } from "./S3ObjectChangedError.js";
import { S3RangeStream, type OpenedRange, type RangeOpener } from "./S3RangeStream.js";
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

/**
 * Ranged GETs of one object, pinned to one ETag (sent as If-Match), retried with backoff, and
 * resumed from the last byte received when a body breaks off mid-stream.
 */
export class S3RangeFetcher implements RangeOpener {
  readonly url: string;
  readonly retry: RetryPolicy;
  readonly idleMs: number;
  readonly sharedChunks: boolean;
  readonly random: (() => number) | undefined;
  private pinned: string | undefined;
  private readonly aborter = new AbortController();

  constructor(
    private readonly client: S3Client,
    private readonly location: S3Location,
    readonly stats: S3SourceStats,
    options: S3RangeFetcherOptions = {},
  ) {
    this.url = formatS3Url(location);
    this.pinned = options.etag;
    this.retry = options.retry ?? defaultRetryPolicy;
    this.idleMs = options.idleTimeoutMs ?? 30_000;
    this.sharedChunks = options.sharedChunks === true;
    this.random = options.random;
  }

  get etag(): string | undefined {
    return this.pinned;
  }

  get closing(): AbortSignal {
    return this.aborter.signal;
  }

  /**
   * Aborts every request, body and retry wait of this object's reads: a read waiting on a
   * stalled connection, or retrying an endpoint that does not answer, fails at once instead of
   * keeping the process alive until its timeouts run out.
   */
  close(): void {
    this.aborter.abort();
  }

  /**
   * Bytes [start, end) or fewer at the end of the object; an empty reply at or past the end.
   * Never asks beyond a size already learned.
   */
  async fetch(start: number, end: number, spare?: Uint8Array): Promise<RangeReply> {
    const stream = this.stream(start, end);
    try {
      const bytes = await stream.read(end - start, spare);
      return { bytes, objectSize: stream.size ?? start + bytes.length };
    } finally {
      stream.close();
    }
  }

  /** Bytes [start, end) as one GET read piece by piece (see S3RangeStream). */
  stream(start: number, end: number): S3RangeStream {
    return new S3RangeStream(this, start, end);
  }

  /** Sends one GET for [from, to) and checks its reply: status, ETag, Content-Range. */
  async open(from: number, to: number): Promise<OpenedRange> {
    this.stats.requests++;
    let out;
    try {
      const { GetObjectCommand } = await loadS3Sdk();
      out = await this.client.send(new GetObjectCommand({
        Bucket: this.location.bucket,
        Key: this.location.key,
        Range: `bytes=${from}-${to - 1}`,
        ...(this.pinned === undefined ? {} : { IfMatch: this.pinned }),
      }), { abortSignal: this.aborter.signal });
    } catch (err) {
      return this.onErrorReply(err, from);
    }
    const body = out.Body as Readable | undefined;
    try {
      this.checkEtag(out.ETag, from);
    } catch (err) {
      body?.destroy();
      throw err;
    }
    const status = out.$metadata.httpStatusCode;
    if (status === 206) return this.partial(from, out.ContentRange, body);
    if (status === 200) return this.whole(from, out.ContentLength, body);
    body?.destroy();
    throw new S3ReadError(this.url, from, `expected status 206 or 200, found ${status}`);
  }

  private partial(
    from: number, header: string | undefined, body: Readable | undefined,
  ): OpenedRange {
    const range = header === undefined ? undefined : parseContentRange(header);
    if (range?.kind === "unsatisfied" && from >= range.total) {
      body?.destroy();
      return { kind: "end", objectSize: range.total };
    }
    if (range?.kind !== "range" || range.start !== from || body === undefined) {
      body?.destroy();
      throw new S3ReadError(this.url, from,
        `expected Content-Range "bytes ${from}-…", found ${JSON.stringify(header ?? null)}`);
    }
    // The reply, not the request, says where its bytes and the object end (a short last range).
    return { kind: "body", body, skip: 0, end: range.end, objectSize: range.total };
  }

  private whole(from: number, length: number | undefined, body: Readable | undefined): OpenedRange {
    if (length === undefined || body === undefined) {
      body?.destroy();
      throw new S3ReadError(this.url, from, "a 200 reply to a Range request without Content-Length");
    }
    // The store ignored Range and sent the whole object: skip to the requested bytes.
    this.stats.rangeIgnored++;
    if (from >= length) {
      body.destroy();
      return { kind: "end", objectSize: length };
    }
    return { kind: "body", body, skip: from, end: length, objectSize: length };
  }

  private async onErrorReply(err: unknown, from: number): Promise<OpenedRange> {
    const reply = errorReply(err);
    if (reply?.status === 416) {
      // Some stores check Range before If-Match: a replaced, smaller object then answers 416,
      // and the clear error is that the object changed, not that the range is out of bounds.
      if (this.pinned !== undefined) await this.failIfChanged(reply.headers.etag, from);
      const range = parseContentRange(reply.headers["content-range"] ?? "");
      // A 416 at or past the end is EOF; on a 0-byte object even the first range gets it.
      if (range?.kind === "unsatisfied" && from >= range.total) {
        return { kind: "end", objectSize: range.total };
      }
    }
    if (reply?.status === 412 && this.pinned !== undefined) {
      throw new S3ObjectChangedError(this.url, this.pinned, await this.currentEtag(), from);
    }
    throw err;
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
}

function errorReply(err: unknown): { status: number; headers: Record<string, string> } | undefined {
  type WithResponse = { $response?: { statusCode?: number; headers?: Record<string, string> } };
  const response = (err as WithResponse).$response;
  if (response?.statusCode === undefined) return undefined;
  return { status: response.statusCode, headers: response.headers ?? {} };
}
