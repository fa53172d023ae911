import { chunkBuffer } from "./chunkBuffer.js";

/** Where a read-ahead reports reads that had to wait. */
export interface ReadAheadStats {
  underruns: number;
  underrunWaitMs: number;
}

export interface ReadAheadOptions {
  /** Bytes per fetch; reads are served from chunks aligned to this size. */
  readonly chunkBytes: number;
  /**
   * Bytes held or in flight for a sequential reader, the chunks of the current read included:
   * windowBytes / chunkBytes chunks in all (at least those of the read).
   */
  readonly windowBytes: number;
  /**
   * Hand the buffers of dropped chunks back to fetchChunk for reuse. Only when nothing but
   * this class keeps a chunk's bytes (reads get copies): then a long replay makes no garbage of
   * MiB-sized buffers, which the collector frees late and which swell the process's memory.
   */
  readonly recycle?: boolean;
}

/** Fetches [start, end); may fill `spare` (a dropped chunk's buffer) instead of allocating. */
export type FetchChunk = (start: number, end: number, spare?: Uint8Array) => Promise<Uint8Array>;

interface Chunk {
  readonly promise: Promise<Uint8Array>;
  data: Uint8Array | undefined;
}

/**
 * Serves reads from fixed-size chunks, fetching the chunks after a sequential reader's position
 * before they are asked for. Random reads fetch only the chunks they touch. Memory stays within
 * the window plus the chunks of the current read.
 */
export class ReadAhead {
  private readonly chunks = new Map<number, Chunk>();
  private lastEnd = 0;
  private readonly windowChunks: number;
  private readonly spares: Uint8Array[] = [];
  /** Chunk buffers someone else still reads (a pending cache write), until the promise settles. */
  private readonly holds = new Map<ArrayBufferLike, Promise<unknown>>();

  constructor(
    private readonly size: number,
    private readonly fetchChunk: FetchChunk,
    private readonly options: ReadAheadOptions,
    private readonly stats: ReadAheadStats,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.windowChunks = Math.max(0, Math.floor(options.windowBytes / options.chunkBytes));
  }

  /** Keeps `bytes`' buffer from reuse until `until` settles (another user still reads it). */
  hold(bytes: Uint8Array, until: Promise<unknown>): void {
    const buffer = bytes.buffer;
    const settled = until.then(() => undefined, () => undefined);
    this.holds.set(buffer, settled);
    void settled.then(() => {
      if (this.holds.get(buffer) === settled) this.holds.delete(buffer);
    });
  }

  /** Seeds a chunk already fetched (the open request's reply). */
  seed(index: number, data: Uint8Array): void {
    this.chunks.set(index, { promise: Promise.resolve(data), data });
  }

  /** Starts fetching chunk `index` before any read asks for it. */
  prefetch(index: number): void {
    this.evict(index, index);
    this.startFetch(index);
  }

  /** True if the bytes [offset, end) are fetched and held: a read of them would not wait. */
  has(offset: number, end: number): boolean {
    const c = this.options.chunkBytes;
    for (let i = Math.floor(offset / c); i <= Math.floor((end - 1) / c); i++) {
      if (this.chunks.get(i)?.data === undefined) return false;
    }
    return offset < end;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.size, offset + length);
    if (offset >= end) return new Uint8Array(0);
    const c = this.options.chunkBytes;
    const first = Math.floor(offset / c);
    const last = Math.floor((end - 1) / c);
    const sequential = offset >= this.lastEnd - c && offset <= this.lastEnd + c;
    this.lastEnd = end;

    const wanted: Chunk[] = [];
    for (let i = first; i <= last; i++) wanted.push(this.touch(i));
    const ahead = sequential ? Math.max(0, this.windowChunks - (last - first + 1)) : 0;
    // Drop before fetching ahead, so that a dropped chunk's buffer can take the next range.
    this.evict(first, last + ahead);
    for (let i = last + 1; i <= last + ahead; i++) this.startFetch(i);

    const parts = await this.wait(wanted);
    return assemble(parts, offset - first * c, end - offset);
  }

  private async wait(wanted: Chunk[]): Promise<Uint8Array[]> {
    if (wanted.every((chunk) => chunk.data !== undefined)) {
      return wanted.map((chunk) => chunk.data as Uint8Array);
    }
    const started = this.now();
    try {
      return await Promise.all(wanted.map((chunk) => chunk.promise));
    } finally {
      this.stats.underruns++;
      this.stats.underrunWaitMs += this.now() - started;
    }
  }

  /** Gets or starts a chunk and marks it most recently used. */
  private touch(index: number): Chunk {
    const chunk = this.startFetch(index) as Chunk;
    this.chunks.delete(index);
    this.chunks.set(index, chunk);
    return chunk;
  }

  private startFetch(index: number): Chunk | undefined {
    const existing = this.chunks.get(index);
    if (existing !== undefined) return existing;
    const start = index * this.options.chunkBytes;
    if (start >= this.size) return undefined;
    const end = Math.min(this.size, start + this.options.chunkBytes);
    const chunk: Chunk = {
      promise: this.fetchChunk(start, end, this.spares.pop()).then((data) => {
        chunk.data = data;
        return data;
      }),
      data: undefined,
    };
    // A failed prefetch is forgotten so that the read which needs it fetches again.
    chunk.promise.catch(() => {
      if (this.chunks.get(index) === chunk) this.chunks.delete(index);
    });
    this.chunks.set(index, chunk);
    return chunk;
  }

  /**
   * Holds at most the window (or the chunks of this read, if more): drops least recently used
   * chunks outside [first, keepTo] until the chunks to keep fit.
   */
  private evict(first: number, keepTo: number): void {
    const limit = Math.max(this.windowChunks, keepTo - first + 1);
    for (const [index, chunk] of this.chunks) {
      if (this.chunks.size + this.missing(first, keepTo) <= limit) return;
      if (index >= first && index <= keepTo) continue;
      this.chunks.delete(index);
      if (this.options.recycle === true && chunk.data !== undefined) this.recycle(chunk.data);
    }
  }

  private recycle(data: Uint8Array): void {
    const buffer = data.buffer;
    // Shared buffers are all kept: one lent to a worker thread is freed only once that thread's
    // collector also drops it, which a worker that hardly allocates does late, so a dropped
    // one stays in memory while a new one is made. Their count is then the most ever in use.
    const keepAll = buffer instanceof SharedArrayBuffer;
    const spare = () => {
      if (keepAll || this.spares.length < Math.max(2, this.windowChunks)) {
        this.spares.push(new Uint8Array(buffer, 0, buffer.byteLength));
      }
    };
    const held = this.holds.get(buffer);
    if (held === undefined) spare();
    else void held.then(spare);
  }

  /** Chunks in [first, keepTo] that are not held yet (and exist). */
  private missing(first: number, keepTo: number): number {
    const lastChunk = Math.ceil(this.size / this.options.chunkBytes) - 1;
    let n = 0;
    for (let i = first; i <= Math.min(keepTo, lastChunk); i++) if (!this.chunks.has(i)) n++;
    return n;
  }
}

function assemble(parts: Uint8Array[], skip: number, length: number): Uint8Array {
  // A copy, not a view: readers keep views of what they read (frame payloads), and a view would
  // pin the whole chunk (MiBs) for as long as any frame from it is alive downstream. Not
  // zero-filled first (slice() would be): every byte is copied over, a pass saved per read.
  const out = chunkBuffer(length, false);
  let pos = 0;
  let from = skip;
  for (const part of parts) {
    const take = Math.min(part.length - from, length - pos);
    out.set(part.subarray(from, from + take), pos);
    pos += take;
    from = 0;
  }
  return out;
}
