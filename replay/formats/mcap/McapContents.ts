import type { Channel, Header, Message, Schema } from "@mcap/core";

/** What an MCAP reader learnt on opening a file, and how it reads the messages. */
export interface McapContents {
  header: Header;
  channels: ReadonlyMap<number, Channel>;
  schemas: ReadonlyMap<number, Schema>;
  /** Messages per channel id, as the statistics record or the scan counted them. */
  messageCounts: ReadonlyMap<number, bigint>;
  /** Chunk compressions, `none` for uncompressed chunks. */
  compression: string[];
  /** The file has a summary section. */
  finalized: boolean;
  /** Messages come through the summary's chunk and message indexes (else from a scan). */
  indexed: boolean;
  /** Earliest and latest message log time, epoch ns; 0 for a file without messages. */
  startNs: bigint;
  endNs: bigint;
  /** Why a summary present in the file was not used, if it was not. */
  summaryProblem?: string;
  /**
   * Messages in log-time order (ties in file order), from the absolute time `fromNs` on, in
   * arrays of up to `batchSize`.
   */
  messages(fromNs: bigint, batchSize: number): AsyncIterable<Message[]>;
  /** File offset read last, for errors found without one. */
  lastOffset(): number;
}
