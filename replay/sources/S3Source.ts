import type { S3Client } from "@aws-sdk/client-s3";
import type { ByteSource } from "./ByteSource.js";
import { chunkBuffer } from "./chunkBuffer.js";
import type { S3ClientOptions } from "./createS3Client.js";
import { ReadAhead, type FetchChunk } from "./ReadAhead.js";
import { S3RangeFetcher, type S3RangeFetcherOptions } from "./S3RangeFetcher.js";
import { exactBytes } from "./S3ReadError.js";
import { SpanFetcher } from "./SpanFetcher.js";
import { emptyS3SourceStats, type S3SourceStats } from "./S3SourceStats.js";
import { parseS3Url } from "./S3Url.js";

export interface S3SourceOptions extends S3RangeFetcherOptions {
  /** A client to share between sources; else one is made from `clientOptions`. */
  readonly client?: S3Client;
  readonly clientOptions?: S3ClientOptions;
  /** Bytes per ranged GET (default 4 MiB). */
  readonly chunkBytes?: number;
  /**
   * Bytes of chunks held or in flight for a sequential reader, the chunks of the current read
   * included (default 16 MiB, at least one chunk). Memory for reading stays within this.
   */
  readonly readAheadBytes?: number;
  /**
   * Bytes of the longest GET for a sequential reader (default 16 MiB, the default window):
   * chunks that follow one another are read from one GET's body, paused between chunks, in
   * GETs that grow from one chunk to this (`SpanFetcher`). At most `chunkBytes`: one GET per
   * chunk, as many in flight as the window holds.
   */
  readonly spanBytes?: number;
  /**
   * A span nobody read from for this long is closed (default 10 s): a store may drop a
   * connection that is not read from. The chunk after it opens a span as long.
   */
  readonly spanIdleCloseMs?: number;
  /**
   * Bytes of the request made at open (default, and at most, a chunk). When less, the rest of
   * the first chunk is asked for as soon as the head arrives, while the reader parses the head:
   * the first reply need not carry a whole chunk before anything can be parsed.
   */
  readonly firstBytes?: number;
  /** The size from a HEAD already made; with `etag`, open() sends no request. */
  readonly size?: number;
  /**
   * Each chunk as it arrives, read-ahead included, before any read copies from it (a cache
   * stores chunks from here, without a copy). The bytes must not be changed; the buffer is
   * not reused for another range before the promise returned settles.
   */
  readonly onChunk?: (start: number, bytes: Uint8Array) => Promise<unknown> | undefined;
}

export const defaultChunkBytes = 4 * 1024 * 1024;
export const defaultReadAheadBytes = 16 * 1024 * 1024;
export const defaultSpanBytes = 16 * 1024 * 1024;
/** A first request small enough to arrive quickly, large enough for most logs' headers. */
export const quickStartFirstBytes = 256 * 1024;

/**
 * An S3 object as a ByteSource: ranged GETs with read-ahead, pinned to the ETag seen when it
 * was opened so that a log replaced mid-replay fails instead of splicing two versions.
 */
export class S3Source implements ByteSource {
  readonly stats: S3SourceStats;

  private constructor(
    readonly name: string,
    private readonly fetcher: S3RangeFetcher,
    private readonly bytes: number,
    private readonly readAhead: ReadAhead,
    private readonly ownClient: S3Client | undefined,
    private readonly spans: SpanFetcher | undefined,
    stats: S3SourceStats,
    /** The reply to the open request when it is less than a chunk; reads inside it use it. */
    private readonly head: Uint8Array | undefined,
  ) {
    this.stats = stats;
  }

  /**
   * Opens `s3://bucket/key` with a first ranged GET, which learns the size and the ETag and
   * keeps its bytes (most readers start at offset 0). A 0-byte object is an empty source.
   */
  static async open(url: string, options: S3SourceOptions = {}): Promise<S3Source> {
    const location = parseS3Url(url);
    const chunkBytes = options.chunkBytes ?? defaultChunkBytes;
    const readAheadBytes = options.readAheadBytes ?? defaultReadAheadBytes;
    if (!(chunkBytes > 0) || !(readAheadBytes >= 0)) {
      throw new RangeError(`${url}: chunkBytes must be > 0 and readAheadBytes >= 0`);
    }
    const ownClient = options.client === undefined
      ? await newS3Client(options.clientOptions) : undefined;
    const client = options.client ?? ownClient;
    if (client === undefined) throw new Error("unreachable: no S3 client");
    const stats = emptyS3SourceStats();
    const fetcher = new S3RangeFetcher(client, location, stats, options);
    try {
      const known = options.etag !== undefined && options.size !== undefined;
      const firstBytes = Math.min(chunkBytes, options.firstBytes ?? chunkBytes);
      const first = known ? undefined : await fetcher.fetch(0, firstBytes);
      const size = first?.objectSize ?? options.size ?? 0;
      // A whole first chunk (or object) seeds the read-ahead; a shorter head is kept apart.
      const whole = first !== undefined && first.bytes.length >= Math.min(chunkBytes, size);
      const head = first !== undefined && !whole ? first.bytes : undefined;
      const onChunk = options.onChunk;
      // A chunk handed to onChunk is held from reuse while its user (a cache write) reads it.
      // Called only once a fetch completes, so after readAhead below is set.
      const handOver = (start: number, bytes: Uint8Array): void => {
        const using = onChunk?.(start, bytes);
        if (using !== undefined) readAhead.hold(bytes, using);
      };
      const spanBytes = options.spanBytes ?? defaultSpanBytes;
      const idleCloseMs = options.spanIdleCloseMs;
      const spans = spanBytes > chunkBytes
        ? new SpanFetcher(fetcher, size, {
          maxSpanBytes: spanBytes, ...(idleCloseMs === undefined ? {} : { idleCloseMs }),
        })
        : undefined;
      const fetchChunk: FetchChunk = async (start, end, spare) => {
        const bytes = head !== undefined && start === 0
          ? await fetchAfterHead(fetcher, head, end, spare)
          : spans !== undefined ? await spans.fetch(start, end, spare)
            : await fetchExactly(fetcher, start, end, spare);
        handOver(start, bytes);
        return bytes;
      };
      const windowBytes = Math.max(readAheadBytes, chunkBytes);
      const readAhead = new ReadAhead(size, fetchChunk,
        { chunkBytes, windowBytes, recycle: true }, stats);
      if (first !== undefined && head === undefined) readAhead.seed(0, first.bytes);
      if (first !== undefined) handOver(0, first.bytes);
      // Only the head's own chunk, on the connection the head freed: the window waits for a
      // read past the head, so that it does not share the link with what the reader needs next.
      if (head !== undefined) readAhead.prefetch(0);
      return new S3Source(fetcher.url, fetcher, size, readAhead, ownClient, spans, stats, head);
    } catch (err) {
      ownClient?.destroy();
      throw err;
    }
  }

  /** The ETag pinned at open (sent as If-Match on every later request). */
  get etag(): string | undefined {
    return this.fetcher.etag;
  }

  size(): Promise<number> {
    return Promise.resolve(this.bytes);
  }

  /** True if a read of [offset, offset + length) would be served from memory at once. */
  holds(offset: number, length: number): boolean {
    const head = this.head;
    if (head !== undefined && offset + length <= head.length) return true;
    return this.readAhead.has(offset, Math.min(this.bytes, offset + length));
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    const head = this.head;
    if (head !== undefined && offset + length <= head.length) {
      return Promise.resolve(head.slice(offset, offset + length));
    }
    return this.readAhead.read(offset, length);
  }

  close(): Promise<void> {
    this.fetcher.close();
    this.spans?.close();
    this.ownClient?.destroy();
    return Promise.resolve();
  }
}

/** The first chunk: the head already fetched at open, then the rest of the chunk. */
async function fetchAfterHead(
  fetcher: S3RangeFetcher,
  head: Uint8Array,
  end: number,
  spare?: Uint8Array,
): Promise<Uint8Array> {
  const rest = await fetchExactly(fetcher, head.length, end);
  const out = spare !== undefined && spare.length >= end ? spare.subarray(0, end)
    : chunkBuffer(end, head.buffer instanceof SharedArrayBuffer);
  out.set(head, 0);
  out.set(rest, head.length);
  return out;
}

/** Inside the size learned at open, a short reply means the object changed under us. */
async function fetchExactly(
  fetcher: S3RangeFetcher,
  start: number,
  end: number,
  spare?: Uint8Array,
): Promise<Uint8Array> {
  const reply = await fetcher.fetch(start, end, spare);
  return exactBytes(fetcher.url, start, end, reply.bytes, reply.objectSize);
}

/** Loads the SDK only when a client is made here: naming this class must not cost its import. */
export async function newS3Client(options: S3ClientOptions | undefined): Promise<S3Client> {
  const { createS3Client } = await import("./createS3Client.js");
  return createS3Client(options);
}
