import type { CanFrame } from "../../drivers/can/CanFrame.js";
import { Mdf4Writer } from "../formats/mdf4/Mdf4Writer.js";
import type { CaptureSink } from "./CaptureSink.js";

/**
 * A capture as an MDF4 bus log whose start time is the replay's origin: its Timestamp master
 * is then replay time, and the replayed log and the capture line up in any MDF4 tool.
 */
export class Mdf4CaptureSink implements CaptureSink {
  readonly format = "mf4";

  private constructor(
    readonly path: string,
    private readonly writer: Mdf4Writer,
  ) {}

  static create(path: string, originNs: bigint): Mdf4CaptureSink {
    const writer = Mdf4Writer.create(path, {
      startNs: originNs,
      comment: "roadrig replay capture",
    });
    return new Mdf4CaptureSink(path, writer);
  }

  write(frame: CanFrame, timeNs: number): void {
    this.writer.write(frame, timeNs);
  }

  close(): Promise<void> {
    this.writer.close();
    return Promise.resolve();
  }
}
