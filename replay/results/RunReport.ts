import type { LogFormat } from "../formats/LogReader.js";
import type { CaptureStats } from "../capture/Capture.js";
import type { S3SourceStats } from "../sources/S3SourceStats.js";

/** What a run read: one log. */
export interface SourceFacts {
  readonly name: string;
  readonly format: LogFormat;
  readonly size: number;
  /** S3 ETag pinned for the whole replay (s3:// sources). */
  readonly etag?: string;
  readonly s3?: S3SourceStats;
  readonly cache?: {
    readonly bytesFromCache: number;
    readonly bytesFromS3: number;
    readonly disabled?: string;
  };
}

export interface OutputFacts {
  readonly target: string;
  readonly frames: number;
  readonly framesPerChannel: Record<string, number>;
  readonly details?: Record<string, number>;
}

export interface LatenessFacts {
  readonly count: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly maxUs: number;
}

export interface RunError {
  readonly message: string;
  readonly code?: string;
  readonly name?: string;
}

/** How well S3 reads kept up with a replay, all S3 sources together. */
export interface StreamingFigures {
  /** Reads that found the read-ahead empty and waited for the network. */
  readonly underruns: number;
  readonly underrunWaitMs: number;
  /** Bytes fetched from S3. */
  readonly bytesFetched: number;
  /**
   * Bytes per second the replay consumed per second of its schedule (paced log time over the
   * rate); undefined at rate 0, where any speed is right.
   */
  readonly neededBytesPerSecond?: number;
  /** Bytes per second actually delivered over the replay's wall time. */
  readonly achievedBytesPerSecond: number;
  /** Late frames counted in a batch during which a read waited for the network. */
  readonly lateFramesDuringIoWait: number;
}

/** `report.json`: everything needed to judge a run without the rig. */
export interface RunReport {
  readonly runId: string;
  readonly startedAt: string;
  readonly endedAt: string;
  /** completed, stopped (signal or key), failed. */
  readonly outcome: "completed" | "stopped" | "failed";
  /** The signal that stopped the replay while it ran (the run then exits 130 or 143). */
  readonly signal?: string;
  readonly options: Record<string, unknown>;
  readonly sources: SourceFacts[];
  readonly replay?: {
    readonly frames: number;
    readonly passes: number;
    readonly rate: number;
    readonly origin: string;
    readonly wallSeconds: number;
    readonly late: number;
    readonly lateness: LatenessFacts;
  };
  readonly outputs: OutputFacts[];
  readonly capture?: CaptureStats;
  readonly streaming: StreamingFigures;
  readonly errors: RunError[];
}
