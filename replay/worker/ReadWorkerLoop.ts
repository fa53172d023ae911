import type { MessagePort } from "node:worker_threads";
import type { LogReader } from "../formats/LogReader.js";
import type { OpenLogOptions } from "../formats/openLog.js";
import { readCounters } from "../results/sourceFacts.js";
import type { ByteSource } from "../sources/ByteSource.js";
import { CachedS3Source } from "../sources/CachedS3Source.js";
import type { NasCache } from "../sources/NasCache.js";
import { openByteSource } from "../sources/openByteSource.js";
import { S3Source } from "../sources/S3Source.js";
import { BatchPacker } from "./BatchPacker.js";
import { ReadAhead } from "./ReadAhead.js";
import type { FromWorker, ReadWorkerData, SourceCounters, ToWorker } from "./ReadWorkerProtocol.js";
import { errorToWire } from "./WireError.js";

type FromWorkerWarning = Extract<FromWorker, { type: "warning" }>["warning"];

/** How often the worker looks for S3 retries to report between batches. */
const RETRY_WATCH_MS = 500;

/**
 * The worker's side: opens the log, and for each run reads batches ahead of the replay within
 * the limits, packs them and transfers them. One run at a time; a new one ends the last.
 */
export class ReadWorkerLoop {
  private reader: LogReader | undefined;
  private source: ByteSource | undefined;
  private readonly packer: BatchPacker;
  private readonly ahead: ReadAhead;
  private run = -1;
  private running: Promise<void> = Promise.resolve();
  private retryWatch: NodeJS.Timeout | undefined;
  private retriesSent = 0;

  constructor(private readonly port: MessagePort, private readonly data: ReadWorkerData) {
    this.ahead = new ReadAhead(data.limits.maxRecords, data.limits.maxBytes);
    // As many spares as the batches in flight can be: buffers come in size classes, so up to
    // twice the bytes of what the replay's side may hold.
    this.packer = new BatchPacker(2 * data.limits.maxBytes);
  }

  async open(): Promise<void> {
    try {
      // The log's first request goes out before the parsers load: over a 50 ms round trip the
      // reply comes in while they compile, not after.
      const opening = openByteSource(this.data.pathOrUrl, await this.openOptions());
      const formats = import("../formats/openLog.js");
      formats.then((f) => f.preloadReaderFor(this.data.pathOrUrl), () => undefined);
      this.source = await opening;
      const { openSource } = await formats;
      this.reader = await openSource(this.source);
    } catch (err) {
      await this.source?.close().catch(() => undefined);
      this.post({ type: "failed", error: errorToWire(err) });
      return;
    }
    const etag = this.source instanceof S3Source || this.source instanceof CachedS3Source
      ? this.source.etag : undefined;
    this.post({
      type: "opened",
      name: this.reader.name,
      startNs: this.reader.startNs,
      description: this.reader.describe(),
      size: await this.source.size(),
      ...(etag !== undefined ? { etag } : {}),
      counters: readCounters(this.source),
    });
    this.watchRetries();
  }

  /**
   * Batches carry the counters, but a read being retried sends no batch: a retry is sent on its
   * own within a second, so that the replay's side can say so while the stall lasts.
   */
  private watchRetries(): void {
    this.retriesSent = this.counters().counters?.s3?.retries ?? 0;
    this.retryWatch = setInterval(() => {
      const { counters } = this.counters();
      const retries = counters?.s3?.retries ?? 0;
      if (counters === undefined || retries === this.retriesSent) return;
      this.retriesSent = retries;
      this.post({ type: "counters", counters });
    }, RETRY_WATCH_MS);
    this.retryWatch.unref();
  }

  onMessage(message: ToWorker): void {
    switch (message.type) {
      case "start":
        this.start(message.run, message.fromNs);
        break;
      case "taken":
        if (message.run === this.run) this.ahead.taken(message.records, message.bytes);
        break;
      case "spare":
        this.packer.recycle(message.buffer);
        break;
      case "stop":
        if (message.run === this.run) this.stopRun();
        break;
      case "close":
        this.stopRun();
        void this.close();
        break;
      case "open":
        // Taken by the worker's entry before this loop exists; it opens one log only.
        break;
    }
  }

  /** The cache's modules load only for a replay through the cache. */
  private async openOptions(): Promise<OpenLogOptions> {
    const { s3, cache } = this.data.open;
    const post = (warning: FromWorkerWarning) => this.post({ type: "warning", warning });
    const source = this.data.pathOrUrl;
    let nasCache: NasCache | undefined;
    if (cache) {
      const [{ NasCache }, { lockWaitMessage }] = await Promise.all([
        import("../sources/NasCache.js"), import("../sources/DirLock.js")]);
      nasCache = new NasCache({
        ...cache,
        onLockWait: (wait) => post({
          source, reason: "lock-wait", message: lockWaitMessage(wait), lock: wait.path,
        }),
      });
    }
    return {
      ...(s3 ? { s3 } : {}),
      ...(nasCache ? { cache: nasCache } : {}),
      onCacheWarning: ({ source: log, reason, message }) => post({ source: log, reason, message }),
    };
  }

  private start(run: number, fromNs: number | undefined): void {
    this.stopRun();
    this.run = run;
    this.running = this.running.then(() => this.read(run, fromNs));
  }

  private stopRun(): void {
    this.run = -1;
    this.ahead.reset();
  }

  private async read(run: number, fromNs: number | undefined): Promise<void> {
    const reader = this.reader as LogReader;
    const batches = reader.batches(fromNs !== undefined ? { fromNs } : {});
    const iterator = batches[Symbol.asyncIterator]();
    this.packer.discard();
    let done = false;
    try {
      while (run === this.run) {
        const next = await iterator.next();
        if (next.done === true) break;
        for (const record of next.value) this.packer.add(record);
        await this.handOver(run, false);
      }
      done = true;
      if (run !== this.run) return;
      await this.handOver(run, true);
      const description = reader.describe();
      this.post({ type: "end", run, description, ...this.counters() });
    } catch (err) {
      done = true;
      // The records read before the failure go first, as a reader in the replay's thread would.
      if (run === this.run && this.packer.count > 0) this.postBatch(run);
      if (run === this.run) this.post({ type: "error", run, error: errorToWire(err), ...this.counters() });
    } finally {
      if (!done) await iterator.return?.().catch(() => undefined);
    }
  }

  /**
   * Sends the packed records when the batch is full, or at once when the replay has nothing
   * left to take (it is waiting); then waits while the replay is too far behind.
   */
  private async handOver(run: number, last: boolean): Promise<void> {
    if (run !== this.run) return;
    const { batchRecords } = this.data.limits;
    const count = this.packer.count;
    if (count > 0 && (last || count >= batchRecords || this.ahead.idle)) this.postBatch(run);
    for (let room = this.ahead.room(); room && run === this.run; room = this.ahead.room()) {
      await room;
    }
  }

  private postBatch(run: number): void {
    const bytes = this.packer.bytes;
    const packed = this.packer.take();
    this.ahead.handedOver(packed.count, bytes);
    const counters = this.counters();
    this.retriesSent = counters.counters?.s3?.retries ?? this.retriesSent;
    const message: FromWorker = { type: "batch", run, ...packed, ...counters };
    this.port.postMessage(message, [packed.buffer]);
  }

  private counters(): { counters?: SourceCounters } {
    const counters = this.source ? readCounters(this.source) : {};
    return counters.s3 ? { counters } : {};
  }

  private async close(): Promise<void> {
    clearInterval(this.retryWatch);
    this.ahead.wake();
    // The log is closed before the read loop is waited for: a read waiting on a stalled S3
    // connection ends with the close (its run is stopped, so its error is not reported).
    const closing = this.reader?.close().catch(() => undefined);
    await this.running.catch(() => undefined);
    await closing;
    this.post({ type: "closed" });
  }

  private post(message: FromWorker): void {
    this.port.postMessage(message);
  }
}
