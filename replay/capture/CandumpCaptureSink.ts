import type { CanFrame } from "../../drivers/can/CanFrame.js";
import { CandumpWriter } from "../formats/candump/CandumpWriter.js";
import type { CaptureSink } from "./CaptureSink.js";

/**
 * A capture as a `candump -l` log with epoch times. Lines are gathered into large writes; a
 * bus cannot be paused, so a disk slower than the bus grows the stream's buffer instead.
 */
export class CandumpCaptureSink implements CaptureSink {
  readonly format = "candump";

  private constructor(
    readonly path: string,
    private readonly writer: CandumpWriter,
  ) {}

  static create(path: string): CandumpCaptureSink {
    return new CandumpCaptureSink(path, CandumpWriter.toPath(path));
  }

  write(frame: CanFrame, _timeNs: number, absNs: bigint): void {
    this.writer.write(frame, absNs);
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}
