import type { Capture, CaptureStats } from "../capture/Capture.js";
import type { LogReader } from "../formats/LogReader.js";
import type { ReplaySummary } from "../ReplaySummary.js";
import type { ByteSource } from "../sources/ByteSource.js";
import type { CountingOutput } from "./CountingOutput.js";
import { IoWaitMonitor } from "./IoWaitMonitor.js";
import type {
  LatenessFacts, RunError, RunReport, SourceFacts, StreamingFigures,
} from "./RunReport.js";
import { readCounters, s3StatsOf, sourceFacts } from "./sourceFacts.js";
import { streamingFigures } from "./streamingFigures.js";

export interface ReportContext {
  readonly runId: string;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly options: Record<string, unknown>;
}

/** What the replay needs of a Replay to watch it: its progress and its late count. */
export interface WatchedReplay {
  on(event: "progress", listener: () => void): unknown;
  readonly lateFrames: number;
}

/**
 * The facts of one run, gathered while it goes, so that a report can be written whatever
 * point the run reached: a run that failed half-way still says what it had read and sent.
 */
export class RunRecord {
  readonly errors: RunError[] = [];
  outputs: readonly CountingOutput[] = [];
  capture: Capture | undefined;
  captureStats: CaptureStats | undefined;
  summary: ReplaySummary | undefined;
  /** The signal (SIGINT, SIGTERM) that stopped the replay while it ran, if one did. */
  signal: string | undefined;
  private readonly sources: { source: ByteSource; facts: SourceFacts }[] = [];
  private monitor: IoWaitMonitor | undefined;

  async addSource(source: ByteSource, reader: LogReader): Promise<void> {
    this.sources.push({ source, facts: await sourceFacts(source, reader) });
  }

  /** Counts late frames that coincide with S3 reads waiting, batch by batch. */
  watch(replay: WatchedReplay): void {
    const monitor = new IoWaitMonitor(() => this.underruns(), () => replay.lateFrames);
    replay.on("progress", () => monitor.check());
    this.monitor = monitor;
  }

  addError(err: unknown): void {
    if (err instanceof Error) {
      const code = (err as { code?: unknown }).code;
      this.errors.push({
        message: err.message,
        name: err.name,
        ...(typeof code === "string" ? { code } : {}),
      });
    } else {
      this.errors.push({ message: String(err) });
    }
  }

  /** True when a log comes from S3 (directly or through the cache). */
  get readsS3(): boolean {
    return this.sources.some(({ source }) => s3StatsOf(source) !== undefined);
  }

  /** Each s3:// source's retries so far, with what the latest was for. */
  s3Retries(): { source: string; retries: number; lastRetry?: string }[] {
    return this.sources.flatMap(({ source }) => {
      const stats = s3StatsOf(source);
      if (stats === undefined) return [];
      const { retries, lastRetry } = stats;
      return [{ source: source.name, retries, ...(lastRetry === undefined ? {} : { lastRetry }) }];
    });
  }

  /** S3 counters of every s3:// source now (they keep counting until the source closes). */
  s3Stats() {
    return this.sources.flatMap(({ source }) => {
      const stats = s3StatsOf(source);
      return stats ? [{ ...stats }] : [];
    });
  }

  report(context: ReportContext): RunReport {
    const summary = this.summary;
    // A signal before the replay began is recorded as an error (E_INTERRUPTED) but is a stop.
    const interrupted = this.errors.length > 0
      && this.errors.every((e) => e.code === "E_INTERRUPTED");
    const outcome = interrupted || (this.errors.length === 0 && summary?.stopped === true)
      ? "stopped"
      : this.errors.length > 0 ? "failed" : "completed";
    return {
      runId: context.runId,
      startedAt: context.startedAt.toISOString(),
      endedAt: context.endedAt.toISOString(),
      outcome,
      ...(this.signal === undefined ? {} : { signal: this.signal }),
      options: context.options,
      sources: this.sources.map(({ source, facts }) => withStats(facts, source)),
      ...(summary ? { replay: replayFacts(summary) } : {}),
      outputs: this.outputs.map((o) => o.facts()),
      ...(this.captureStats ? { capture: this.captureStats } : {}),
      streaming: this.streaming(),
      errors: this.errors,
    };
  }

  /** How S3 reads kept up so far, all sources together. */
  streaming(): StreamingFigures {
    this.monitor?.check();
    const summary = this.summary ?? {
      rate: 0, wallNs: 0, firstFrameNs: undefined, lastFrameNs: undefined, passes: 0,
    };
    return streamingFigures(this.s3Stats(), summary, this.monitor?.lateFramesDuringIoWait ?? 0);
  }

  private underruns(): number {
    let total = 0;
    for (const { source } of this.sources) total += s3StatsOf(source)?.underruns ?? 0;
    return total;
  }
}

function withStats(facts: SourceFacts, source: ByteSource): SourceFacts {
  return { ...facts, ...readCounters(source) };
}

function replayFacts(summary: ReplaySummary): NonNullable<RunReport["replay"]> {
  return {
    frames: summary.frames,
    passes: summary.passes,
    rate: summary.rate,
    origin: new Date(Number(summary.originNs / 1_000_000n)).toISOString(),
    wallSeconds: summary.wallNs / 1e9,
    late: summary.late,
    lateness: latenessUs(summary.lateness),
  };
}

function latenessUs(l: ReplaySummary["lateness"]): LatenessFacts {
  const us = (ns: number) => Math.round(ns / 10) / 100;
  return {
    count: l.count,
    p50Us: us(l.p50),
    p99Us: us(l.p99),
    p999Us: us(l.p999),
    maxUs: us(l.max),
  };
}
