import type { LogDescription } from "../formats/LogReader.js";
import type { SourceFacts } from "../results/RunReport.js";
import type { NasCacheOptions } from "../sources/NasCache.js";
import type { S3ClientOptions } from "../sources/createS3Client.js";
import type { WireError } from "./WireError.js";

/** The S3 and cache counters of the worker's source, as the run report shows them. */
export type SourceCounters = Pick<SourceFacts, "s3" | "cache">;

/** How far the worker may read ahead of what the replay has taken. */
export interface ReadAheadLimits {
  /** Records packed per transferred batch (at most; a batch goes early if the replay waits). */
  batchRecords: number;
  /** Records handed over and not yet taken by the replay. */
  maxRecords: number;
  /** Bytes (columns and payloads) handed over and not yet taken. */
  maxBytes: number;
}

/** What openLog needs in the worker, as plain data (a client or a cache cannot cross). */
export interface WorkerOpenOptions {
  s3?: {
    /** Credentials only as a plain object (keys), never a provider function. */
    clientOptions?: S3ClientOptions;
    chunkBytes?: number;
    readAheadBytes?: number;
    spanBytes?: number;
  };
  cache?: NasCacheOptions;
}

export interface ReadWorkerData {
  pathOrUrl: string;
  open: WorkerOpenOptions;
  limits: ReadAheadLimits;
}

/**
 * A worker started before its log is known (see prestartReadWorker): it loads what it will
 * need, then waits for an `open` message carrying its ReadWorkerData.
 */
export interface PrestartData {
  prestart: { s3: boolean };
}

/** What a read worker is started with: its log, or only a prestart hint. */
export type ReadWorkerStart = ReadWorkerData | PrestartData;

/** Main thread to worker. `run` numbers each batches() call; a new one ends the last. */
export type ToWorker =
  | { type: "open"; data: ReadWorkerData }
  | { type: "start"; run: number; fromNs?: number }
  | { type: "taken"; run: number; records: number; bytes: number }
  /** A batch's buffer, unpacked with every payload copied: the worker may pack into it again. */
  | { type: "spare"; buffer: ArrayBuffer }
  | { type: "stop"; run: number }
  | { type: "close" };

/** Worker to main thread, in the order things happened there. */
export type FromWorker =
  | {
    type: "opened";
    name: string;
    startNs: bigint;
    description: LogDescription;
    size: number;
    etag?: string;
    counters: SourceCounters;
  }
  | { type: "failed"; error: WireError }
  | {
    type: "batch";
    run: number;
    buffer: ArrayBuffer;
    count: number;
    strings: string[];
    counters?: SourceCounters;
  }
  | { type: "end"; run: number; description: LogDescription; counters?: SourceCounters }
  | { type: "error"; run: number; error: WireError; counters?: SourceCounters }
  | {
    type: "warning";
    /** A CacheWarning; `lock`: the lock's path, with reason lock-wait. */
    warning: { source: string; reason: string; message: string; lock?: string };
  }
  /** S3 counters between batches: sent when a read was retried, so a stall shows while it lasts. */
  | { type: "counters"; counters: SourceCounters }
  /** A process warning raised in the worker (the AWS SDK's, for one): the CLI logs it. */
  | { type: "nodeWarning"; name: string; message: string }
  | { type: "closed" };
