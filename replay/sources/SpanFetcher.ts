import type { S3RangeFetcher } from "./S3RangeFetcher.js";
import type { S3RangeStream } from "./S3RangeStream.js";
import { exactBytes } from "./S3ReadError.js";

export interface SpanOptions {
  /** Bytes of the longest GET (a span); at most one chunk means one GET per chunk. */
  readonly maxSpanBytes: number;
  /** Spans left open at once (paused bodies hold a socket each); the least recently used go. */
  readonly maxOpenSpans?: number;
  /**
   * A span nobody read from for this long is closed, its socket freed (a store may drop a
   * connection that is not read from); the chunk after it then opens a span as long.
   */
  readonly idleCloseMs?: number;
}

interface Span {
  readonly stream: S3RangeStream;
  readonly start: number;
  readonly end: number;
  /** The byte the next chunk read from this span starts at. */
  next: number;
  /** Reads of the span are served one after the other: the last one asked for. */
  tail: Promise<unknown>;
  pending: number;
  idle: NodeJS.Timeout | undefined;
}

/**
 * Chunk fetches for a sequential reader served from few long GETs ("spans") instead of one
 * GET per chunk: a chunk that starts where an open span's next byte is is read from that
 * span's body; any other chunk opens a span there, twice as long as the span that ended there
 * (up to `maxSpanBytes`), or one chunk long if none did. So a reader that jumps costs one
 * chunk-sized GET per jump, as before, while a sequential one soon reads the object in GETs of
 * `maxSpanBytes`: each request costs the store and the client about as much as many MiB of
 * data, and is billed. Memory stays the read-ahead's: a span's body is paused while no chunk
 * is being read from it, the bytes sent ahead waiting in the socket's buffers.
 */
export class SpanFetcher {
  /** Open spans by their next byte; Map order is least recently used first. */
  private readonly spans = new Map<number, Span>();
  /** Where spans ended (or were closed) → their length, for the next span to grow from. */
  private readonly lengths = new Map<number, number>();
  private closed = false;

  constructor(
    private readonly fetcher: S3RangeFetcher,
    private readonly size: number,
    private readonly options: SpanOptions,
  ) {}

  /** Bytes [start, end) exactly, inside the object; `spare` is filled if large enough. */
  fetch(start: number, end: number, spare?: Uint8Array): Promise<Uint8Array> {
    let span = this.spans.get(start);
    if (span === undefined) span = this.begin(start, end);
    else this.spans.delete(start);
    span.next = end;
    if (end < span.end) this.spans.set(end, span);
    else this.remember(span.end, span.end - span.start);
    if (span.idle !== undefined) clearTimeout(span.idle);
    span.idle = undefined;
    span.pending++;
    const opened = span;
    const read = opened.tail.then(() => opened.stream.read(end - start, spare));
    opened.tail = read.then(() => this.settled(opened), () => this.failed(opened));
    return read.then((bytes) =>
      exactBytes(this.fetcher.url, start, end, bytes, opened.stream.size));
  }

  /** Closes every span (their sockets too, unless read to their end). */
  close(): void {
    this.closed = true;
    for (const span of this.spans.values()) this.shut(span);
    this.spans.clear();
  }

  private begin(start: number, end: number): Span {
    const before = this.lengths.get(start);
    this.lengths.delete(start);
    const grown = before === undefined ? 0 : Math.min(this.options.maxSpanBytes, 2 * before);
    // Whole chunks (reads of this length), so that no chunk straddles a span's end.
    const chunk = end - start;
    const spanEnd = Math.min(this.size, start + Math.max(chunk, grown - (grown % chunk)));
    const span: Span = {
      stream: this.fetcher.stream(start, spanEnd),
      start,
      end: spanEnd,
      next: start,
      tail: Promise.resolve(),
      pending: 0,
      idle: undefined,
    };
    this.evictIdle();
    return span;
  }

  private settled(span: Span): void {
    span.pending--;
    if (span.pending > 0 || this.closed) return;
    if (span.next >= span.end) {
      span.stream.close();
      return;
    }
    const idleCloseMs = this.options.idleCloseMs ?? 10_000;
    span.idle = setTimeout(() => {
      if (this.spans.get(span.next) !== span || span.pending > 0) return;
      this.spans.delete(span.next);
      this.remember(span.next, span.end - span.start);
      this.shut(span);
    }, idleCloseMs);
    span.idle.unref();
  }

  private failed(span: Span): void {
    span.pending--;
    // Later reads of the span fail with the same error (the stream keeps it); the chunks are
    // asked for again by the read-ahead, and then open a new span.
    if (this.spans.get(span.next) === span) this.spans.delete(span.next);
    this.shut(span);
  }

  /** Keeps spans within maxOpenSpans by closing the least recently used idle ones. */
  private evictIdle(): void {
    const limit = this.options.maxOpenSpans ?? 4;
    for (const [next, span] of this.spans) {
      if (this.spans.size < limit) return;
      if (span.pending > 0) continue;
      this.spans.delete(next);
      this.shut(span);
    }
  }

  private shut(span: Span): void {
    if (span.idle !== undefined) clearTimeout(span.idle);
    span.idle = undefined;
    span.stream.close();
  }

  private remember(end: number, length: number): void {
    this.lengths.delete(end);
    this.lengths.set(end, length);
    for (const key of this.lengths.keys()) {
      if (this.lengths.size <= 16) break;
      this.lengths.delete(key);
    }
  }
}
