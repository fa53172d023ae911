import type { Clock } from "./Clock.js";
import { LatencyHistogram, type LatencySummary } from "./LatencyHistogram.js";
import { MonotonicClock } from "./MonotonicClock.js";

const WAIT_SLICE_NS = 100_000_000n;

export interface PacerOptions {
  clock?: Clock;
  /** Speed factor: 1 = recorded pace, 2 = twice as fast; 0 = as fast as possible. */
  rate?: number;
  /**
   * Longest wait between two consecutive records, ns of log time; a longer gap is shortened to
   * exactly this. python-can's `MessageSync(skip=)` rule, on exact times: the device under test
   * still sees a quiet bus for `maxGap` (its timeouts fire as they would), and a gap of 59.9 s
   * is treated like one of 60.1 s. canplayer's `-s` instead sends the next frame at once and
   * compares whole seconds only, which makes the outcome depend on where a second boundary
   * falls.
   */
  maxGapNs?: number;
  /** A frame sent more than this after its deadline counts as late. */
  lateThresholdNs?: number;
}

export interface PacerStats {
  frames: number;
  /** Frames that went out more than `lateThresholdNs` after their deadline. */
  late: number;
  /** Send time minus deadline, ns, for every paced frame (none at rate 0). */
  lateness: LatencySummary;
}

/**
 * Turns replay times into deadlines on the monotonic clock: deadline = anchor + (time − anchor
 * time) / rate, computed afresh for every frame so that errors never add up (sleeps are never
 * summed). Pause, seek, loop and rate changes move the anchor. A frame whose deadline has passed
 * goes out at once and is counted.
 */
export class Pacer {
  private readonly clock: Clock;
  private rateValue: number;
  private readonly maxGapNs: number;
  private readonly lateThresholdNs: number;
  private anchorMonoNs: bigint | undefined;
  private anchorTimeNs = 0;
  /** Log time removed by `maxGap`, so far. */
  private skippedNs = 0;
  private previousNs: number | undefined;
  /** Paced time (log time minus skipped gaps) of the last frame let through. */
  private positionNs = 0;
  private pausedAt: bigint | undefined;
  private resumeWaiters: (() => void)[] = [];
  private lastBreathNs: bigint;
  private readonly histogram = new LatencyHistogram();
  private frames = 0;
  private late = 0;
  private interrupted = false;

  constructor(options: PacerOptions = {}) {
    this.clock = options.clock ?? new MonotonicClock();
    this.rateValue = checkRate(options.rate ?? 1);
    this.maxGapNs = options.maxGapNs ?? Infinity;
    this.lateThresholdNs = options.lateThresholdNs ?? 1_000_000;
    this.lastBreathNs = this.clock.now();
  }

  get rate(): number {
    return this.rateValue;
  }

  get paused(): boolean {
    return this.pausedAt !== undefined;
  }

  /**
   * Waits until the frame at replay time `timeNs` is due; returns its lateness in ns. Returns a
   * number without awaiting when no wait is needed, to keep the per-frame cost low.
   */
  wait(timeNs: number): number | Promise<number> {
    const pacedNs = this.pacedTime(timeNs);
    if (this.pausedAt !== undefined) return this.waitPaced(pacedNs);
    if (this.rateValue === 0) return this.unpaced(pacedNs);
    this.anchorMonoNs ??= this.anchorHere(pacedNs);
    const deadline = this.deadlineOf(pacedNs);
    const now = this.clock.now();
    if (now >= deadline) return this.sent(pacedNs, now - deadline);
    return this.waitPaced(pacedNs);
  }

  /** Makes the next frame go at once and later frames keep their spacing from it. */
  reanchor(): void {
    this.anchorMonoNs = undefined;
    this.previousNs = undefined;
    this.interrupted = false;
  }

  /**
   * Ends the pending wait (within one slice) without counting its frame, which a stop or a
   * seek keeps from being sent: the lateness figures cover frames that went out, no more.
   * Resolves with NaN.
   */
  interrupt(): void {
    this.interrupted = true;
    this.resume();
  }

  /** Anchors replay time `timeNs` to now: a later frame waits its distance from it. */
  startAt(timeNs: number): void {
    this.previousNs = timeNs;
    this.positionNs = timeNs - this.skippedNs;
    this.anchorTimeNs = this.positionNs;
    this.anchorMonoNs = this.clock.now();
  }

  pause(): void {
    this.pausedAt ??= this.clock.now();
  }

  resume(): void {
    const pausedAt = this.pausedAt;
    if (pausedAt === undefined) return;
    this.pausedAt = undefined;
    // The time left before the next deadline at pause is kept: only the pause is cut out.
    if (this.anchorMonoNs !== undefined) this.anchorMonoNs += this.clock.now() - pausedAt;
    for (const resolve of this.resumeWaiters.splice(0)) resolve();
  }

  /** Changes speed from now on; frames already due stay due. */
  setRate(rate: number): void {
    const next = checkRate(rate);
    if (next === this.rateValue) return;
    const current = this.currentTime();
    this.rateValue = next;
    this.anchorTimeNs = current;
    if (this.anchorMonoNs !== undefined) this.anchorMonoNs = this.pausedAt ?? this.clock.now();
  }

  /** Late frames so far, without building the lateness summary. */
  get lateFrames(): number {
    return this.late;
  }

  /**
   * Replay time (log time, ns from the origin) that the clock had reached at monotonic `monoNs`:
   * what a frame received then is stamped with. Before the first frame, and at rate 0, it is
   * the time of the last frame let through. A gap shortened by `maxGap` counts as cut once the
   * frame after it is being waited for.
   */
  timeAt(monoNs: bigint): number {
    if (this.anchorMonoNs === undefined || this.rateValue === 0) {
      return this.positionNs + this.skippedNs;
    }
    const pausedAt = this.pausedAt;
    const at = pausedAt !== undefined && pausedAt < monoNs ? pausedAt : monoNs;
    const elapsed = Number(at - this.anchorMonoNs) * this.rateValue;
    return Math.max(this.positionNs, this.anchorTimeNs + elapsed) + this.skippedNs;
  }

  stats(): PacerStats {
    return { frames: this.frames, late: this.late, lateness: this.histogram.summary() };
  }

  private pacedTime(timeNs: number): number {
    const previous = this.previousNs;
    if (previous !== undefined && timeNs - previous > this.maxGapNs) {
      this.skippedNs += timeNs - previous - this.maxGapNs;
    }
    this.previousNs = timeNs;
    return timeNs - this.skippedNs;
  }

  private anchorHere(pacedNs: number): bigint {
    this.anchorTimeNs = pacedNs;
    return this.clock.now();
  }

  private deadlineOf(pacedNs: number): bigint {
    const offset = Math.round((pacedNs - this.anchorTimeNs) / this.rateValue);
    return (this.anchorMonoNs as bigint) + BigInt(offset);
  }

  /**
   * Long waits go in slices so that a pause or a rate change made meanwhile takes effect within
   * one slice; the deadline is computed afresh after each.
   */
  private async waitPaced(pacedNs: number): Promise<number> {
    for (;;) {
      if (this.interrupted) {
        this.interrupted = false;
        return Number.NaN;
      }
      if (this.pausedAt !== undefined) {
        await new Promise<void>((resolve) => this.resumeWaiters.push(resolve));
        continue;
      }
      if (this.rateValue === 0) return this.unpaced(pacedNs);
      this.anchorMonoNs ??= this.anchorHere(pacedNs);
      const deadline = this.deadlineOf(pacedNs);
      const now = this.clock.now();
      if (now >= deadline) return this.sent(pacedNs, now - deadline);
      const sliceEnd = now + WAIT_SLICE_NS;
      await this.clock.waitUntil(deadline < sliceEnd ? deadline : sliceEnd);
    }
  }

  private unpaced(pacedNs: number): number | Promise<number> {
    this.positionNs = pacedNs;
    this.frames++;
    // Unpaced, nothing else would let the event loop run: output drains and signals need it.
    const now = this.clock.now();
    if (now - this.lastBreathNs < 10_000_000n) return 0;
    this.lastBreathNs = now;
    return this.clock.breathe().then(() => 0);
  }

  private sent(pacedNs: number, latenessNs: bigint): number {
    const lateness = Number(latenessNs);
    this.positionNs = pacedNs;
    this.frames++;
    this.histogram.record(lateness);
    if (lateness > this.lateThresholdNs) this.late++;
    return lateness;
  }

  /** Paced time the replay has reached: the clock's, or the last frame's if that is later. */
  private currentTime(): number {
    if (this.anchorMonoNs === undefined || this.rateValue === 0) return this.positionNs;
    const at = this.pausedAt ?? this.clock.now();
    const elapsed = Number(at - this.anchorMonoNs) * this.rateValue;
    return Math.max(this.positionNs, this.anchorTimeNs + elapsed);
  }
}

/**
 * Beyond these factors a deadline no longer fits the clock's nanoseconds (a second of log
 * would take 30 years at 1e-6), so such a rate is a typing error, not a wish.
 */
const MIN_RATE = 1e-6;
const MAX_RATE = 1e6;

/** What is wrong with a speed factor, or undefined when it is usable. */
export function rateProblem(rate: number): string | undefined {
  if (rate === 0) return undefined;
  if (Number.isFinite(rate) && rate >= MIN_RATE && rate <= MAX_RATE) return undefined;
  return `expected 0 (as fast as possible) or a speed factor from ${MIN_RATE} to ${MAX_RATE}`;
}

function checkRate(rate: number): number {
  const problem = rateProblem(rate);
  if (problem !== undefined) throw new RangeError(`rate ${rate}: ${problem}`);
  return rate;
}
