import type { LogRecord } from "./LogRecord.js";

export type LogFormat = "mdf4" | "rosbag" | "mcap" | "candump" | "asc";

/** What a reader knows about a log without scanning its records. */
export interface LogDescription {
  format: LogFormat;
  /** Format version, e.g. `4.11` or `2.0`. */
  version?: string;
  /** Producer of the file where the format records one (MDF4 program id, MCAP library). */
  producer?: string;
  /** False for logs a logger never finished (MDF4 `UnFinMF`, an MCAP without summary). */
  finalized?: boolean;
  /** Compression of data blocks or chunks: `none`, `deflate`, `transposed-deflate`, `bz2`... */
  compression: string[];
  /** Channel groups, topics or connections, with what the format says of each. */
  groups: GroupDescription[];
  /** Format-specific facts worth showing (MDF4 header comment, time zone...). */
  details?: Record<string, unknown>;
}

export interface GroupDescription {
  name: string;
  /** What the group holds: `can-data`, `can-remote`, `can-error`, `signals`, `topic`, `vlsd`... */
  kind: string;
  /** Record or message count the file declares, where it does. */
  count?: number;
  type?: string;
  channels?: ChannelDescription[];
}

export interface ChannelDescription {
  name: string;
  unit?: string;
  dataType?: string;
  bits?: number;
  conversion?: string;
  master?: boolean;
}

/** Options every reader understands for `records`. */
export interface ReadOptions {
  /** Skip records before this time (ns from `startNs`); readers may use an index to seek. */
  fromNs?: number;
}

/**
 * Yields the records of one log in time order, in batches (one object per frame costs too much
 * to hand over one at a time at millions of frames per second). Memory stays bounded whatever
 * the log's size.
 */
export interface LogReader {
  /** File name or URL, for messages. */
  readonly name: string;
  /** Absolute start of the log (time 0 of `timeNs`), epoch nanoseconds. */
  readonly startNs: bigint;
  describe(): LogDescription;
  batches(options?: ReadOptions): AsyncIterable<readonly LogRecord[]>;
  close(): Promise<void>;
}
