/** One batch in the spool, as the index keeps it; the payload stays on disk. */
export interface SpoolEntry {
  readonly seq: number;
  readonly stream: string;
  readonly priority: number;
  /** Payload bytes. */
  readonly size: number;
  readonly segment: string;
  /** Offset of the payload in the segment file. */
  readonly offset: number;
  state: "pending" | "inflight" | "done";
}
