import type { CanFrame } from "../../drivers/can/CanFrame.js";
import { CandumpWriter } from "../formats/candump/CandumpWriter.js";
import type { OutputStats, ReplayOutput } from "./ReplayOutput.js";
import { stdoutWritable } from "./stdoutWritable.js";

export interface CandumpOutputOptions {
  /**
   * Paced replays write each line as its frame goes out, so that the text keeps the replay's
   * rhythm; unpaced ones gather 64 KiB per write.
   */
  paced: boolean;
}

/**
 * Frames as a `candump -l` log on stdout (`-`) or in a file, each line carrying the frame's
 * recorded absolute time, as candump would have logged it.
 */
export class CandumpOutput implements ReplayOutput {
  private frames = 0;

  private constructor(
    readonly target: string,
    private readonly writer: CandumpWriter,
  ) {}

  static open(destination: string, options: CandumpOutputOptions): CandumpOutput {
    const writerOptions = { bufferChars: options.paced ? 1 : 1 << 16 };
    const target = `candump:${destination}`;
    if (destination === "-") {
      return new CandumpOutput(target, new CandumpWriter(stdoutWritable(), writerOptions));
    }
    try {
      return new CandumpOutput(target, CandumpWriter.toPath(destination, writerOptions));
    } catch (err) {
      // Named as the user wrote it: which output, and why the file cannot be written.
      const cause = err as NodeJS.ErrnoException;
      const failure = new Error(`--to ${target}: cannot write the file: ${cause.message}`, { cause });
      throw Object.assign(failure, { code: cause.code });
    }
  }

  send(frame: CanFrame, recordedNs: bigint): void | Promise<void> {
    this.frames++;
    try {
      if (!this.writer.write(frame, recordedNs)) {
        return this.writer.drain().catch((err: unknown) => {
          throw this.named(err);
        });
      }
    } catch (err) {
      throw this.named(err);
    }
  }

  /** A failed write (a full disk), named by the output it came from. */
  private named(err: unknown): Error {
    const cause = err as NodeJS.ErrnoException;
    const failure = new Error(`--to ${this.target}: ${cause.message ?? String(err)}`, { cause });
    return Object.assign(failure, { code: cause.code ?? "E_OUTPUT" });
  }

  flush(): void {}

  stats(): OutputStats {
    return { target: this.target, frames: this.frames };
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}
