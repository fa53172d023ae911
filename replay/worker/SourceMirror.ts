import type { ByteSource } from "../sources/ByteSource.js";
import type { SourceCounters } from "./ReadWorkerProtocol.js";

/**
 * The read worker's ByteSource as seen from the replay's thread: its name, size, ETag and S3
 * and cache counters, updated in place with every batch, so that the run report and the
 * underrun monitor read it as they read a source of their own. Its bytes stay in the worker.
 */
export class SourceMirror implements ByteSource {
  readonly counters: SourceCounters = {};

  constructor(
    readonly name: string,
    private readonly bytes: number,
    readonly etag: string | undefined,
    counters: SourceCounters,
  ) {
    this.update(counters);
  }

  size(): Promise<number> {
    return Promise.resolve(this.bytes);
  }

  read(): Promise<Uint8Array> {
    return Promise.reject(new Error(`${this.name}: read in a worker thread, not here`));
  }

  /** The worker's reader owns the real source and closes it. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Copies the worker's counters into the live objects (monitors hold on to them). */
  update(counters: SourceCounters): void {
    const mutable = this.counters as { -readonly [K in keyof SourceCounters]: SourceCounters[K] };
    if (counters.s3) mutable.s3 = Object.assign(mutable.s3 ?? { ...counters.s3 }, counters.s3);
    if (counters.cache) mutable.cache = { ...counters.cache };
  }
}
