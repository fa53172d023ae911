import type { CanFrame } from "../../drivers/can/CanFrame.js";
import type { OutputStats, ReplayOutput } from "../outputs/ReplayOutput.js";
import type { OutputFacts } from "./RunReport.js";

/** A replay output that also counts the frames it was given per channel, for the report. */
export class CountingOutput implements ReplayOutput {
  private readonly perChannel = new Map<string, number>();

  constructor(readonly inner: ReplayOutput) {}

  get target(): string {
    return this.inner.target;
  }

  send(frame: CanFrame, recordedNs: bigint): void | Promise<void> {
    this.perChannel.set(frame.channel, (this.perChannel.get(frame.channel) ?? 0) + 1);
    return this.inner.send(frame, recordedNs);
  }

  flush(): void | Promise<void> {
    return this.inner.flush();
  }

  stats(): OutputStats {
    return this.inner.stats();
  }

  facts(): OutputFacts {
    const { target, frames, details } = this.inner.stats();
    const framesPerChannel = Object.fromEntries(this.perChannel);
    return { target, frames, framesPerChannel, ...(details ? { details } : {}) };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
