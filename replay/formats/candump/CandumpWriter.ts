import { once } from "node:events";
import { createWriteStream, openSync } from "node:fs";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import { formatCandumpLine } from "./formatCandumpLine.js";

export interface CandumpWriterOptions {
  /** Timestamp decimals: 6 as `candump -l` writes, or 9 to keep nanoseconds. */
  decimals?: 6 | 9;
  /** Characters gathered before one write to the stream (default 64 KiB). */
  bufferChars?: number;
}

/**
 * Writes frames as a `candump -l` log. Lines are gathered and handed to the stream in large
 * writes; `write` returns false when the stream wants the caller to `await drain()` first,
 * as Writable.write does. `close()` flushes and ends the stream.
 */
export class CandumpWriter {
  private pending: string[] = [];
  private pendingChars = 0;
  private failure: Error | undefined;
  private ended = false;
  private readonly decimals: 6 | 9;
  private readonly bufferChars: number;

  constructor(
    private readonly out: Writable,
    options: CandumpWriterOptions = {},
  ) {
    this.decimals = options.decimals ?? 6;
    this.bufferChars = options.bufferChars ?? 1 << 16;
    out.on("error", (err: Error) => {
      this.failure ??= err;
    });
  }

  /** Creates (or truncates) the file at `path`. */
  /** Creates (or truncates) the file at once: a path that cannot be written throws here. */
  static toPath(path: string, options?: CandumpWriterOptions): CandumpWriter {
    const fd = openSync(path, "w");
    return new CandumpWriter(createWriteStream("", { fd }), options);
  }

  /** Writes to an open descriptor (stdout is 1); the descriptor stays open after close(). */
  static toFd(fd: number, options?: CandumpWriterOptions): CandumpWriter {
    return new CandumpWriter(createWriteStream("", { fd, autoClose: false }), options);
  }

  /** Queues one line; false means: await drain() before writing more. */
  write(frame: CanFrame, absTimeNs: bigint): boolean {
    this.check();
    const line = formatCandumpLine(frame, absTimeNs, this.decimals) + "\n";
    this.pending.push(line);
    this.pendingChars += line.length;
    return this.pendingChars < this.bufferChars || this.flush();
  }

  /** Resolves once the stream can take more; rejects if it failed. */
  async drain(): Promise<void> {
    this.check();
    if (this.out.writableNeedDrain) await once(this.out, "drain");
  }

  /** Writes what is buffered, ends the stream and waits until everything reached it. */
  async close(): Promise<void> {
    if (this.ended) return;
    this.check();
    this.flush();
    this.ended = true;
    this.out.end();
    await finished(this.out);
    if (this.failure) throw this.failure;
  }

  private flush(): boolean {
    if (this.pending.length === 0) return !this.out.writableNeedDrain;
    const text = this.pending.join("");
    this.pending = [];
    this.pendingChars = 0;
    return this.out.write(text);
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.ended) throw new Error("CandumpWriter is closed");
  }
}
