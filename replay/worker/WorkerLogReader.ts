import type { Worker } from "node:worker_threads";
import type { LogDescription, LogReader, ReadOptions } from "../formats/LogReader.js";
import type { LogRecord } from "../formats/LogRecord.js";
import type { OpenLogOptions } from "../formats/openLog.js";
import type { CacheWarning } from "../sources/CachedS3Source.js";
import { BatchUnpacker } from "./BatchUnpacker.js";
import { packedBytes } from "./PackedBatch.js";
import type {
  FromWorker, ReadAheadLimits, ReadWorkerData, ToWorker,
} from "./ReadWorkerProtocol.js";
import { startReadWorker } from "./readWorkerEntry.js";
import { takePrestartedReadWorker } from "./prestartReadWorker.js";
import { SourceMirror } from "./SourceMirror.js";
import { errorFromWire, errorToWire, type WireError } from "./WireError.js";
import { workerOpenOptions } from "./workerOpenOptions.js";

export interface WorkerLogReaderOptions extends OpenLogOptions {
  limits?: Partial<ReadAheadLimits>;
  /** Records per yielded batch: small, so that unpacking one never holds up a paced frame. */
  yieldRecords?: number;
  /** Longest wait for the worker to close its log before it is terminated (default 5 s). */
  closeTimeoutMs?: number;
}

/** About 2 MiB of candump frames ahead; a batch every ~0.2 s at 10,000 frames/s. */
export const defaultLimits: ReadAheadLimits = {
  batchRecords: 2048,
  maxRecords: 65_536,
  maxBytes: 8 * 1024 * 1024,
};

type Queued =
  | { kind: "batch"; buffer: ArrayBuffer; count: number }
  | { kind: "end" }
  | { kind: "error"; error: WireError };

interface Run {
  readonly id: number;
  readonly queue: Queued[];
  wake: (() => void) | undefined;
}

/**
 * A LogReader whose log is opened, read and parsed in a worker thread. Batches cross as packed
 * columns in transferred buffers (PackedBatch); this side only unpacks them into records.
 * Read-ahead is bounded by `limits`. One batches() iteration runs at a time: starting another
 * ends the one before (the timeline closes its cursors before it makes new ones).
 */
export class WorkerLogReader implements LogReader {
  readonly name: string;
  readonly startNs: bigint;
  /** Name, size and S3 counters of the worker's source, for the run report. */
  readonly source: SourceMirror;
  /** Resolves with the worker's exit code once its thread has ended. */
  readonly exited: Promise<number>;
  private description: LogDescription;
  private readonly unpacker = new BatchUnpacker();
  private readonly yieldRecords: number;
  private current: Run | undefined;
  private runs = 0;
  private gone: WireError | undefined;
  private closing: Promise<void> | undefined;
  private onClosed: (() => void) | undefined;

  private constructor(
    private readonly worker: Worker,
    opened: Extract<FromWorker, { type: "opened" }>,
    private readonly options: WorkerLogReaderOptions,
  ) {
    this.name = opened.name;
    this.startNs = opened.startNs;
    this.description = opened.description;
    this.source = new SourceMirror(opened.name, opened.size, opened.etag, opened.counters);
    this.yieldRecords = options.yieldRecords ?? 256;
    this.exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.on("message", (m: FromWorker) => this.onMessage(m));
    worker.on("error", (err) => this.onGone(errorToWire(err)));
    worker.on("exit", (code) => this.onGone(errorToWire(
      new Error(`${this.name}: read worker ended (exit code ${code})`))));
    worker.unref();
  }

  /** Starts a worker that opens `pathOrUrl` as openLog would; its errors arrive as its own. */
  static async open(
    pathOrUrl: string,
    options: WorkerLogReaderOptions = {},
  ): Promise<WorkerLogReader> {
    const data: ReadWorkerData = {
      pathOrUrl,
      open: workerOpenOptions(options),
      limits: { ...defaultLimits, ...options.limits },
    };
    const prestarted = takePrestartedReadWorker();
    const worker = prestarted ?? startReadWorker(data);
    if (prestarted) post(prestarted, { type: "open", data });
    let first: FromWorker;
    try {
      first = await firstMessage(worker, options.onCacheWarning);
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    if (first.type !== "opened") {
      await worker.terminate();
      throw first.type === "failed" ? errorFromWire(first.error)
        : new Error(`${pathOrUrl}: read worker sent ${first.type} before opening`);
    }
    return new WorkerLogReader(worker, first, options);
  }

  /** Records handed over by the worker and not yet taken (what read-ahead holds here). */
  get bufferedRecords(): number {
    let records = 0;
    for (const item of this.current?.queue ?? []) if (item.kind === "batch") records += item.count;
    return records;
  }

  describe(): LogDescription {
    return this.description;
  }

  async *batches(options: ReadOptions = {}): AsyncGenerator<LogRecord[]> {
    const run = this.begin(options.fromNs);
    let ended = false;
    try {
      for (;;) {
        const item = run.queue.shift() ?? (await this.next(run));
        if (item.kind === "end") {
          ended = true;
          return;
        }
        if (item.kind === "error") {
          ended = true;
          throw errorFromWire(item.error);
        }
        yield* this.unpack(run, item.buffer, item.count);
      }
    } finally {
      if (this.current === run) this.current = undefined;
      if (!ended && this.gone === undefined && !this.closing) this.post({ type: "stop", run: run.id });
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private begin(fromNs: number | undefined): Run {
    this.endRun();
    const run: Run = { id: ++this.runs, queue: [], wake: undefined };
    if (this.gone) run.queue.push({ kind: "error", error: this.gone });
    else if (this.closing) run.queue.push({ kind: "end" });
    else this.post({ type: "start", run: run.id, ...(fromNs !== undefined ? { fromNs } : {}) });
    this.current = run;
    return run;
  }

  /** An iteration cut short by a newer one or by close() ends where it stands. */
  private endRun(): void {
    const run = this.current;
    if (!run) return;
    this.current = undefined;
    run.queue.length = 0;
    run.queue.push({ kind: "end" });
    run.wake?.();
  }

  private *unpack(run: Run, buffer: ArrayBuffer, count: number): Generator<LogRecord[]> {
    const columns = this.unpacker.columns(buffer, count);
    // Taken now, not when unpacked: the worker reads the next batch while this one is used.
    this.post({ type: "taken", run: run.id, records: count, bytes: packedBytes(columns, count) });
    // Small payloads (every CAN frame) are copied out, and then the buffer goes back to the
    // worker to be packed again: no record keeps a view of it.
    const copy = this.unpacker.copies(columns, count);
    for (let from = 0; from < count; from += this.yieldRecords) {
      const to = Math.min(count, from + this.yieldRecords);
      const records = this.unpacker.decode(columns, from, to, copy);
      if (copy && to === count) this.giveBack(buffer);
      yield records;
    }
  }

  /** Sends an unpacked batch's buffer back to the worker (which detaches it here). */
  private giveBack(buffer: ArrayBuffer): void {
    if (this.gone !== undefined || this.closing) return;
    const message: ToWorker = { type: "spare", buffer };
    this.worker.postMessage(message, [buffer]);
  }

  private next(run: Run): Promise<Queued> {
    // Only a replay waiting for records keeps the process alive for the worker.
    this.worker.ref();
    return new Promise<void>((resolve) => (run.wake = resolve)).then(() => {
      run.wake = undefined;
      this.worker.unref();
      return run.queue.shift() as Queued;
    });
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case "batch":
        // Names come with the batch that first uses them, even one of a run already ended.
        this.unpacker.addStrings(message.strings);
        if (message.counters) this.source.update(message.counters);
        this.queue(message.run, { kind: "batch", buffer: message.buffer, count: message.count });
        break;
      case "end":
        this.description = message.description;
        if (message.counters) this.source.update(message.counters);
        this.queue(message.run, { kind: "end" });
        break;
      case "error":
        if (message.counters) this.source.update(message.counters);
        this.queue(message.run, { kind: "error", error: message.error });
        break;
      case "warning":
        this.options.onCacheWarning?.(message.warning as CacheWarning);
        break;
      case "counters":
        this.source.update(message.counters);
        break;
      case "nodeWarning":
        emitNodeWarning(message);
        break;
      case "closed":
        this.onClosed?.();
        break;
      case "opened":
      case "failed":
        break;
    }
  }

  private queue(runId: number, item: Queued): void {
    const run = this.current;
    if (!run || run.id !== runId) return;
    run.queue.push(item);
    run.wake?.();
  }

  private onGone(error: WireError): void {
    if (this.gone) return;
    this.gone = error;
    this.onClosed?.();
    const run = this.current;
    if (run && !this.closing) {
      run.queue.push({ kind: "error", error });
      run.wake?.();
    }
  }

  /** Lets the worker close its log (S3 sockets, cache leases) and ends it, within a timeout. */
  private async shutDown(): Promise<void> {
    this.endRun();
    if (this.gone === undefined) {
      this.worker.ref();
      const closed = new Promise<void>((resolve) => (this.onClosed = resolve));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.closeTimeoutMs ?? 5000);
      });
      this.post({ type: "close" });
      await Promise.race([closed, timeout]);
      clearTimeout(timer);
    }
    await this.worker.terminate();
  }

  private post(message: ToWorker): void {
    post(this.worker, message);
  }
}

function post(worker: Worker, message: ToWorker): void {
  worker.postMessage(message);
}

/** Raised again in this thread, where the program's warning handler sees it. */
function emitNodeWarning(warning: { name: string; message: string }): void {
  process.emitWarning(warning.message, warning.name);
}

/** The worker's first word: opened or failed (cache warnings may come before it). */
function firstMessage(
  worker: Worker,
  onCacheWarning: ((warning: CacheWarning) => void) | undefined,
): Promise<FromWorker> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromWorker) => {
      if (m.type === "warning") {
        onCacheWarning?.(m.warning as CacheWarning);
        return;
      }
      if (m.type === "nodeWarning") {
        emitNodeWarning(m);
        return;
      }
      done();
      resolve(m);
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onExit = (code: number) => onError(new Error(`read worker ended (exit code ${code})`));
    const done = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
  });
}
