import type { CanFrame } from "../../drivers/can/CanFrame.js";
import type { IdFilter } from "../timeline/IdFilter.js";
import type { CaptureBus } from "./CaptureBus.js";
import type { CaptureFormat, CaptureSink } from "./CaptureSink.js";
import type { ReplayClock } from "./ReplayClock.js";

export interface CaptureOptions {
  readonly buses: readonly CaptureBus[];
  /** Frames whose ID it refuses are not recorded; error frames are always kept. */
  readonly filter?: IdFilter;
  readonly clock: ReplayClock;
  readonly sink: CaptureSink;
}

export interface CaptureStats {
  readonly format: CaptureFormat;
  readonly path: string;
  readonly buses: string[];
  /** Frames written, all buses together. */
  readonly frames: number;
  readonly framesPerChannel: Record<string, number>;
  /** Frames the ID filter refused. */
  readonly filtered: number;
  /** Why recording stopped early (the sink failed); frames after it were not written. */
  readonly error?: string;
}

/**
 * Records the frames received on some buses during a replay, stamped on the replay's clock,
 * straight into a sink. Times never go backwards in the file: frames from several buses that
 * arrive out of order by their receive stamps are written at the later time.
 */
export class Capture {
  private readonly unsubscribe: (() => void)[] = [];
  private readonly perChannel = new Map<string, number>();
  private frames = 0;
  private filtered = 0;
  private lastNs = 0;
  private failure: Error | undefined;
  private stopped = false;

  constructor(private readonly options: CaptureOptions) {}

  /** Starts listening; call before the replay's first frame so that no answer is missed. */
  start(): void {
    for (const { bus, channel } of this.options.buses) {
      this.unsubscribe.push(bus.onFrame((frame, monoNs) => this.record(frame, monoNs, channel)));
    }
  }

  /** Stops listening, closes the sink (buses it opened too) and says what was recorded. */
  async stop(): Promise<CaptureStats> {
    if (!this.stopped) {
      this.stopped = true;
      for (const off of this.unsubscribe.splice(0)) off();
      await this.closeAll();
    }
    return this.stats();
  }

  stats(): CaptureStats {
    const { sink, buses } = this.options;
    return {
      format: sink.format,
      path: sink.path,
      buses: buses.map((b) => b.target),
      frames: this.frames,
      framesPerChannel: Object.fromEntries(this.perChannel),
      filtered: this.filtered,
      ...(this.failure ? { error: this.failure.message } : {}),
    };
  }

  private record(frame: CanFrame, monoNs: bigint, channel: string): void {
    if (this.failure || this.stopped) return;
    const { filter, clock, sink } = this.options;
    if (filter && !frame.error && !filter.accepts(frame.id)) {
      this.filtered++;
      return;
    }
    const timeNs = Math.max(this.lastNs, Math.round(clock.timeAt(monoNs)));
    this.lastNs = timeNs;
    try {
      sink.write({ ...frame, channel }, timeNs, clock.originNs + BigInt(timeNs));
    } catch (err) {
      // A listener cannot throw into the bus driver: the failure is kept for stop().
      this.failure = err instanceof Error ? err : new Error(String(err));
      return;
    }
    this.frames++;
    this.perChannel.set(channel, (this.perChannel.get(channel) ?? 0) + 1);
  }

  private async closeAll(): Promise<void> {
    const owned = this.options.buses.filter((b) => b.owned).map((b) => b.bus.close());
    const results = await Promise.allSettled([this.options.sink.close(), ...owned]);
    const rejected = results.find((r) => r.status === "rejected");
    if (rejected && !this.failure) {
      const reason: unknown = rejected.reason;
      this.failure = reason instanceof Error ? reason : new Error(String(reason));
    }
  }
}
