import { FormatError } from "../formats/FormatError.js";
import type { LogReader } from "../formats/LogReader.js";
import type { LogRecord } from "../formats/LogRecord.js";
import type { TimeJumpPolicy } from "./TimeJumpPolicy.js";

/**
 * One source's position in the merge: the record at its head and that record's replay time.
 * Batches are walked synchronously; only crossing into the next batch awaits.
 */
export class SourceCursor {
  head: LogRecord | undefined;
  /** Replay time of `head`: ns since the timeline's origin, after any re-anchoring. */
  headTimeNs = 0;
  private iterator: AsyncIterator<readonly LogRecord[]> | undefined;
  private batch: readonly LogRecord[] = [];
  private index = 0;
  private recordNumber = 0;
  private lastRecordNs = -Infinity;
  private lastReplayNs = -Infinity;

  constructor(
    readonly source: number,
    readonly reader: LogReader,
    /** Replay time of the reader's time 0 (its start, plus offset, minus the origin). */
    private shiftNs: number,
    private readonly policy: TimeJumpPolicy,
    private readonly readFromNs: number | undefined,
  ) {}

  /** Moves to the next record of the current batch; false when the batch is used up. */
  advance(): boolean {
    this.index++;
    if (this.index >= this.batch.length) {
      this.head = undefined;
      return false;
    }
    this.position();
    return true;
  }

  /** Loads batches until one has a record; false at the end of the log. */
  async load(): Promise<boolean> {
    if (!this.iterator) {
      const options = this.readFromNs !== undefined ? { fromNs: this.readFromNs } : {};
      this.iterator = this.reader.batches(options)[Symbol.asyncIterator]();
    }
    for (;;) {
      const next = await this.iterator.next();
      if (next.done === true) {
        this.head = undefined;
        return false;
      }
      if (next.value.length === 0) continue;
      this.batch = next.value;
      this.index = 0;
      this.position();
      return true;
    }
  }

  async close(): Promise<void> {
    await this.iterator?.return?.();
  }

  private position(): void {
    const record = this.batch[this.index] as LogRecord;
    this.recordNumber++;
    if (record.timeNs < this.lastRecordNs) this.timeWentBack(record);
    this.lastRecordNs = record.timeNs;
    this.head = record;
    this.headTimeNs = record.timeNs + this.shiftNs;
    this.lastReplayNs = this.headTimeNs;
  }

  private timeWentBack(record: LogRecord): void {
    if (this.policy === "error") {
      throw new FormatError(
        this.reader.name,
        `record ${this.recordNumber}`,
        -1,
        `expected a time at or after ${seconds(this.lastRecordNs)} s, found ` +
          `${seconds(record.timeNs)} s (timestamps go backwards; ` +
          `--time-jumps reanchor replays such a log as canplayer does)`,
      );
    }
    this.shiftNs = this.lastReplayNs - record.timeNs;
  }
}

function seconds(ns: number): string {
  return (ns / 1e9).toFixed(6);
}
