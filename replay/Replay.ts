import { EventEmitter } from "node:events";
import type { CanFrame } from "../drivers/can/CanFrame.js";
import type { LogRecord } from "./formats/LogRecord.js";
import type { ReplayOutput } from "./outputs/ReplayOutput.js";
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
/** An outcome now, or once a wait or an output's backpressure is over. */
type Step = Outcome | Promise<Outcome>;

/**
 * One replay run: the sources merged into a timeline, paced, and sent to every output. Emits
 * `progress` (ReplayProgress) after each batch. Pause, resume, rate change, seek and stop may be
 * called while it runs.
 */
export class Replay extends EventEmitter<{ progress: [ReplayProgress] }> {
  private readonly pacer: Pacer;
  /** Epoch ns of replay time 0 (the earliest source start). */
  readonly originNs: bigint;
  private frames = 0;
  private skippedMessages = 0;
  private passes = 0;
  private firstFrameNs: number | undefined;
  private lastFrameNs: number | undefined;
  private seekTarget: number | undefined;
  private stopRequested = false;
  /** Ends the current wait for the log's next records, when stop() is called during it. */
  private onStop: (() => void) | undefined;

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
    this.pacer.interrupt();
  }

  stop(): void {
    this.stopRequested = true;
    this.onStop?.();
    this.pacer.interrupt();
  }

  /** Late frames so far (cheap enough to read after every batch). */
  get lateFrames(): number {
    return this.pacer.lateFrames;
  }

  /** Replay time reached at monotonic `monoNs` (a CanBus receive time): see Pacer.timeAt. */
  timeAt(monoNs: bigint): number {
    return this.pacer.timeAt(monoNs);
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
    const batches = timeline.batches();
    let finished = false;
    try {
      for (;;) {
        const next = batches.next();
        // A stop must not wait for the log's next bytes: an S3 read can wait on the network for
        // as long as its retries take. The pending read ends with the readers' close(). (Not a
        // Promise.race with one promise for the whole run: each race would leave a reaction on
        // it, holding its batch, until the run ends; a long replay ran out of memory.)
        const step = await this.unlessStopped(next);
        if (step === "stop") {
          finished = true;
          next.then(() => batches.return(undefined), () => undefined).catch(() => undefined);
          return "stop";
        }
        if (step.done) {
          finished = true;
          return "end";
        }
        const batch = step.value;
        for (const entry of batch) {
          // Most frames need no await at all; a microtask per frame would cost more than the rest.
          let outcome = this.playEntry(timeline, entry);
          if (typeof outcome !== "string") outcome = await outcome;
          if (outcome !== "end") return outcome;
        }
        const last = batch[batch.length - 1] as TimelineEntry;
        this.emit("progress", { pass, timeNs: last.timeNs, frames: this.frames });
      }
    } finally {
      if (!finished) await batches.return(undefined);
    }
  }

  /** `next`'s result, or "stop" as soon as stop() is called (or was) while it is pending. */
  private unlessStopped<T>(next: Promise<T>): Promise<T | "stop"> {
    if (this.stopRequested) return Promise.resolve("stop");
    return new Promise<T | "stop">((resolve, reject) => {
      this.onStop = () => resolve("stop");
      next.then(resolve, reject);
    }).finally(() => {
      this.onStop = undefined;
    });
  }

  private playEntry(timeline: Timeline, entry: TimelineEntry): Step {
    if (this.stopRequested) return "stop";
    if (this.seekTarget !== undefined) return "seek";
    const record: LogRecord = entry.record;
    if (record.kind !== "frame") {
      this.skippedMessages++;
      return "end";
    }
    // Lines buffered by text outputs go out before a wait, so they appear at their time.
    if (this.pacer.rate !== 0) {
      const flushed = this.flushOutputs();
      if (flushed) return flushed.then(() => this.pace(timeline, entry, record.frame));
    }
    return this.pace(timeline, entry, record.frame);
  }

  private pace(timeline: Timeline, entry: TimelineEntry, frame: CanFrame): Step {
    const waited = this.pacer.wait(entry.timeNs);
    if (typeof waited !== "number") return waited.then(() => this.deliver(timeline, entry, frame));
    return this.deliver(timeline, entry, frame);
  }

  private deliver(timeline: Timeline, entry: TimelineEntry, frame: CanFrame): Step {
    if (this.stopRequested) return "stop";
    if (this.seekTarget !== undefined) return "seek";
    this.frames++;
    this.firstFrameNs ??= entry.timeNs;
    this.lastFrameNs = entry.timeNs;
    const recordedNs = timeline.recordedNs(entry);
    const { outputs } = this.options;
    for (let i = 0; i < outputs.length; i++) {
      const pending = (outputs[i] as ReplayOutput).send(frame, recordedNs);
      if (pending) return this.sendRest(pending, i + 1, frame, recordedNs);
    }
    return "end";
  }

  /** Backpressure from one output: the others still get the frame, in order, after it. */
  private async sendRest(
    pending: Promise<void>,
    from: number,
    frame: CanFrame,
    recordedNs: bigint,
  ): Promise<Outcome> {
    await pending;
    const { outputs } = this.options;
    for (let i = from; i < outputs.length; i++) {
      await (outputs[i] as ReplayOutput).send(frame, recordedNs);
    }
    return "end";
  }

  private flushOutputs(): Promise<void> | undefined {
    let waits: Promise<void>[] | undefined;
    for (const output of this.options.outputs) {
      const pending = output.flush();
      if (pending) (waits ??= []).push(pending);
    }
    return waits ? Promise.all(waits).then(() => undefined) : undefined;
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
