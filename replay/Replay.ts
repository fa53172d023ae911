import { EventEmitter } from "node:events";
import type { LogRecord } from "./formats/LogRecord.js";
import { Pacer } from "./pacing/Pacer.js";
import type { ReplayOptions } from "./ReplayOptions.js";
import type { ReplaySummary } from "./ReplaySummary.js";
import { Timeline, type TimelineEntry } from "./timeline/Timeline.js";

export interface ReplayProgress {
  pass: number;
  /** Replay time reached, ns from the origin. */
  timeNs: number;
  frames: number;
}

type Outcome = "end" | "seek" | "stop";

/**
 * One replay run: the sources merged into a timeline, paced, and sent to every output. Emits
 * `progress` (ReplayProgress) after each batch. Pause, resume, rate change, seek and stop may be
 * called while it runs.
 */
export class Replay extends EventEmitter<{ progress: [ReplayProgress] }> {
  private readonly pacer: Pacer;
  private readonly originNs: bigint;
  private frames = 0;
  private skippedMessages = 0;
  private passes = 0;
  private firstFrameNs: number | undefined;
  private lastFrameNs: number | undefined;
  private seekTarget: number | undefined;
  private stopRequested = false;

  constructor(private readonly options: ReplayOptions) {
    super();
    this.pacer = new Pacer({
      rate: options.rate ?? 1,
      ...(options.maxGapNs !== undefined ? { maxGapNs: options.maxGapNs } : {}),
      ...(options.lateThresholdNs !== undefined
        ? { lateThresholdNs: options.lateThresholdNs }
        : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.originNs = new Timeline(options.sources).originNs;
  }

  pause(): void {
    this.pacer.pause();
  }

  resume(): void {
    this.pacer.resume();
  }

  get paused(): boolean {
    return this.pacer.paused;
  }

  setRate(rate: number): void {
    this.pacer.setRate(rate);
  }

  /** Jumps to replay time `timeNs` (ns from the origin); the frame there goes at once. */
  seek(timeNs: number): void {
    this.seekTarget = timeNs;
    this.pacer.resume();
  }

  stop(): void {
    this.stopRequested = true;
    this.pacer.resume();
  }

  async run(): Promise<ReplaySummary> {
    const began = process.hrtime.bigint();
    const passes = this.options.passes ?? 1;
    let outcome: Outcome = "end";
    for (let pass = 0; pass < passes && outcome !== "stop" && !this.stopRequested; pass++) {
      this.passes = pass + 1;
      outcome = await this.playPass(pass);
    }
    for (const output of this.options.outputs) await output.flush();
    return this.summary(this.stopRequested, Number(process.hrtime.bigint() - began));
  }

  private async playPass(pass: number): Promise<Outcome> {
    const { startNs } = this.options;
    let from = startNs;
    if (pass === 0 && startNs !== undefined) this.pacer.startAt(startNs);
    else this.pacer.reanchor();
    for (;;) {
      const outcome = await this.play(this.timeline(from), pass);
      if (outcome !== "seek") return outcome;
      from = this.seekTarget;
      this.seekTarget = undefined;
      this.pacer.reanchor();
    }
  }

  private timeline(fromNs: number | undefined): Timeline {
    const { startNs = 0, durationNs } = this.options;
    return new Timeline(this.options.sources, {
      ...this.options.timeline,
      ...(fromNs !== undefined ? { fromNs } : {}),
      ...(durationNs !== undefined ? { toNs: startNs + durationNs } : {}),
    });
  }

  private async play(timeline: Timeline, pass: number): Promise<Outcome> {
    for await (const batch of timeline.batches()) {
      for (const entry of batch) {
        const outcome = await this.playEntry(timeline, entry);
        if (outcome !== "end") return outcome;
      }
      const last = batch[batch.length - 1] as TimelineEntry;
      this.emit("progress", { pass, timeNs: last.timeNs, frames: this.frames });
    }
    return "end";
  }

  private async playEntry(timeline: Timeline, entry: TimelineEntry): Promise<Outcome> {
    if (this.stopRequested) return "stop";
    if (this.seekTarget !== undefined) return "seek";
    const record: LogRecord = entry.record;
    if (record.kind !== "frame") {
      this.skippedMessages++;
      return "end";
    }
    const { outputs } = this.options;
    // Lines buffered by text outputs go out before a wait, so they appear at their time.
    if (this.pacer.rate !== 0) for (const output of outputs) await output.flush();
    const waited = this.pacer.wait(entry.timeNs);
    if (typeof waited !== "number") await waited;
    if (this.stopRequested) return "stop";
    if (this.seekTarget !== undefined) return "seek";

    const recordedNs = timeline.recordedNs(entry);
    for (const output of outputs) {
      const pending = output.send(record.frame, recordedNs);
      if (pending) await pending;
    }
    this.frames++;
    this.firstFrameNs ??= entry.timeNs;
    this.lastFrameNs = entry.timeNs;
    return "end";
  }

  private summary(stopped: boolean, wallNs: number): ReplaySummary {
    const pacing = this.pacer.stats();
    return {
      frames: this.frames,
      skippedMessages: this.skippedMessages,
      passes: this.passes,
      stopped,
      rate: this.pacer.rate,
      originNs: this.originNs,
      firstFrameNs: this.firstFrameNs,
      lastFrameNs: this.lastFrameNs,
      wallNs,
      late: pacing.late,
      lateness: pacing.lateness,
      outputs: this.options.outputs.map((o) => o.stats()),
    };
  }
}
