import type { CanBus } from "../../drivers/can/CanBus.js";
import type { CanFrame } from "../../drivers/can/CanFrame.js";
import type { OutputStats, ReplayOutput } from "./ReplayOutput.js";

/** A replay output onto a CAN bus endpoint (SocketCAN or virtual). */
export class CanBusOutput implements ReplayOutput {
  private frames = 0;

  constructor(
    readonly target: string,
    readonly bus: CanBus,
    private readonly details: () => Record<string, number> | undefined = () => undefined,
  ) {}

  send(frame: CanFrame): void {
    this.bus.send(frame);
    this.frames++;
  }

  flush(): void {}

  stats(): OutputStats {
    const details = this.details();
    return { target: this.target, frames: this.frames, ...(details ? { details } : {}) };
  }

  close(): Promise<void> {
    return this.bus.close();
  }
}
