import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { chunkBuffer } from "./chunkBuffer.js";
import { backoffDelayMs, isRetryable, type RetryPolicy } from "./RetryPolicy.js";
import { S3ObjectChangedError } from "./S3ObjectChangedError.js";
import { S3ReadError } from "./S3ReadError.js";
import type { S3SourceStats } from "./S3SourceStats.js";

/** The body stopped before the bytes its reply announced, without a socket error. */
export class ShortBodyError extends Error {
  constructor(received: number, expected: number) {
    super(`reply body ended after ${received} of ${expected} bytes`);
    this.name = "ShortBody";
  }
}

/** The reply to one ranged GET, checked: its body (after `skip` bytes) starts at the byte asked. */
export type OpenedRange =
  | {
    readonly kind: "body";
    readonly body: Readable;
    /** Leading bytes to drop: a 200 reply carries the whole object, not the range asked. */
    readonly skip: number;
    /** Where the bytes this body carries end (exclusive): the range's end, or the object's. */
    readonly end: number;
    readonly objectSize: number | undefined;
  }
  /** The object ends at or before the byte asked (416, or a 200 shorter than that). */
  | { readonly kind: "end"; readonly objectSize: number };

/** What a stream needs from its fetcher: the requests, and how to retry and count them. */
export interface RangeOpener {
  readonly url: string;
  open(from: number, to: number): Promise<OpenedRange>;
  readonly retry: RetryPolicy;
  readonly stats: S3SourceStats;
  readonly idleMs: number;
  readonly sharedChunks: boolean;
  readonly random: (() => number) | undefined;
  /** Aborted when the fetcher is closed: no request, retry or wait goes on after that. */
  readonly closing: AbortSignal;
}

/**
 * The bytes [start, end) of an object read in pieces from one GET, the body paused between
 * reads (so a long range costs no memory beyond the socket's buffers), and resumed from the
 * last byte received with a new GET when it breaks off, stalls or is refused in a way worth
 * retrying. A stream that failed for good fails every later read with the same error.
 */
export class S3RangeStream {
  private pos: number;
  private objectSize: number | undefined;
  private body: Readable | undefined;
  private iterator: AsyncIterator<Buffer> | undefined;
  /** Bytes of the current body still to drop, and where its bytes end. */
  private skip = 0;
  private replyEnd = 0;
  /** The rest of the last piece the body gave, beyond what the last read took. */
  private leftover: Uint8Array | undefined;
  private failure: Error | undefined;
  private closed = false;

  constructor(
    private readonly opener: RangeOpener,
    readonly start: number,
    private end: number,
  ) {
    this.pos = start;
  }

  /** Where the object ends, once a reply said so. */
  get size(): number | undefined {
    return this.objectSize;
  }

  /** The next byte a read returns. */
  get position(): number {
    return this.pos;
  }

  /** Where the stream's bytes end: the range asked, or the object's end if that comes first. */
  get limit(): number {
    return Math.min(this.end, this.objectSize ?? Infinity);
  }

  /**
   * The next `length` bytes, fewer only at the object's end (none at or past it). `spare`, if
   * large enough, is filled instead of a new buffer.
   */
  async read(length: number, spare?: Uint8Array): Promise<Uint8Array> {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new S3ReadError(this.opener.url, this.pos, "read after close");
    try {
      return await this.readOrRetry(length, spare);
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.drop();
      throw this.failure;
    }
  }

  /** Abandons the body (its socket is closed unless the body was read to its end). */
  close(): void {
    this.closed = true;
    this.drop();
  }

  private async readOrRetry(length: number, spare: Uint8Array | undefined): Promise<Uint8Array> {
    let target: Uint8Array | undefined;
    const from = this.pos;
    let failures = 0;
    for (;;) {
      const before = this.pos;
      this.throwIfClosed();
      try {
        if (this.body === undefined) {
          const shrank = await this.reopen();
          if (shrank && target !== undefined && this.pos - from < target.length) {
            throw new S3ReadError(this.opener.url, this.pos, `object shrank to ${this.objectSize} bytes`);
          }
        }
        target ??= this.allocate(length, spare);
        await this.pull(target, from);
        if (this.pos - from === target.length) {
          if (this.pos >= this.limit) await this.finish();
          return target;
        }
        // The reply carried fewer bytes than asked, as its Content-Range said: ask for the rest.
        this.drop();
        continue;
      } catch (err) {
        this.drop();
        this.throwIfClosed();
        if (!isRetryable(err)) throw this.wrap(err);
        failures = this.pos > before ? 1 : failures + 1;
        if (failures >= this.opener.retry.maxAttempts) {
          throw new S3ReadError(this.opener.url, this.pos,
            `gave up after ${failures} attempts without progress: ${describe(err)}`, { cause: err });
        }
        this.opener.stats.lastRetry = `${describe(err)}; again from byte ${this.pos}`;
      }
      this.opener.stats.retries++;
      const wait = backoffDelayMs(this.opener.retry, Math.max(0, failures - 1), this.opener.random);
      await delay(wait, undefined, { signal: this.opener.closing }).catch(() => undefined);
    }
  }

  private isClosed(): boolean {
    return this.closed || this.opener.closing.aborted;
  }

  /** Closed (this stream or its fetcher): no new request, no retry. */
  private throwIfClosed(): void {
    if (this.isClosed()) {
      throw new S3ReadError(this.opener.url, this.pos, "closed while reading");
    }
  }

  /** A new GET from the current byte; true if it says the object ends at or before it. */
  private async reopen(): Promise<boolean> {
    const opened = await this.opener.open(this.pos, this.limit);
    // Closed while the reply was on its way: its body would hold the socket, unread.
    if (this.isClosed() && opened.kind === "body") opened.body.destroy();
    this.throwIfClosed();
    if (opened.kind === "end") {
      this.objectSize = opened.objectSize;
      return true;
    }
    // Without a total, a reply shorter than asked ends the object (as S3 answers a last range).
    this.objectSize = opened.objectSize ?? (opened.end < this.limit ? opened.end : this.objectSize);
    this.body = opened.body;
    this.iterator = (opened.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    this.skip = opened.skip;
    this.replyEnd = opened.end;
    return false;
  }

  private allocate(length: number, spare: Uint8Array | undefined): Uint8Array {
    const n = Math.max(0, Math.min(length, this.limit - this.pos));
    if (spare !== undefined && spare.length >= n) return spare.subarray(0, n);
    return chunkBuffer(n, this.opener.sharedChunks);
  }

  /**
   * Copies body bytes into `target`, which holds the bytes from `from` on, until it is full or
   * the reply's bytes end. Progress is the position, kept even when the body then fails.
   */
  private async pull(target: Uint8Array, from: number): Promise<void> {
    const timer = this.idleTimer();
    try {
      while (this.pos - from < target.length) {
        let piece = this.leftover;
        this.leftover = undefined;
        if (piece === undefined) {
          if (this.pos >= this.replyEnd) return;
          timer.refresh();
          const next = await (this.iterator as AsyncIterator<Buffer>).next();
          if (next.done === true) {
            throw new ShortBodyError(this.pos - this.start, this.replyEnd - this.start);
          }
          piece = this.skipped(next.value);
          if (piece.length === 0) continue;
        }
        const got = this.pos - from;
        const take = Math.min(piece.length, target.length - got, this.replyEnd - this.pos);
        target.set(piece.subarray(0, take), got);
        this.pos += take;
        this.opener.stats.bytesFetched += take;
        if (take < piece.length && this.pos < this.replyEnd) this.leftover = piece.subarray(take);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private skipped(piece: Buffer): Uint8Array {
    if (this.skip === 0) return piece;
    const dropped = Math.min(this.skip, piece.length);
    this.skip -= dropped;
    return piece.subarray(dropped);
  }

  /**
   * At the stream's end: a body that ends there too is read to its end, so that its socket can
   * carry the next request; one with more to come (a 200 with the whole object) is abandoned.
   */
  private async finish(): Promise<void> {
    if (this.pos < this.replyEnd || this.leftover !== undefined) {
      this.drop();
      return;
    }
    const timer = this.idleTimer();
    try {
      const next = await this.iterator?.next();
      if (next !== undefined && next.done !== true) this.drop();
    } catch {
      // The bytes are all here: a body that fails after them costs only its socket.
    } finally {
      clearTimeout(timer);
      this.body = undefined;
      this.iterator = undefined;
    }
  }

  private idleTimer(): NodeJS.Timeout {
    const idleMs = this.opener.idleMs;
    return setTimeout(() => {
      const err = new Error(`no reply bytes for ${idleMs} ms`);
      err.name = "BodyIdleTimeout";
      this.body?.destroy(err);
    }, idleMs);
  }

  private drop(): void {
    const body = this.body;
    this.body = undefined;
    this.iterator = undefined;
    this.leftover = undefined;
    if (body !== undefined && !body.destroyed) body.destroy();
  }

  private wrap(err: unknown): Error {
    if (err instanceof S3ObjectChangedError || err instanceof S3ReadError) return err;
    return new S3ReadError(this.opener.url, this.pos, describe(err), { cause: err });
  }
}

export function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const text = `${err.name}: ${err.message}`;
  return status === undefined ? text : `${status} ${text}`;
}
