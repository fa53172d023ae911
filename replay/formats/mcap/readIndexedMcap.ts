import { McapIndexedReader, type DecompressHandlers, type Message } from "@mcap/core";
import { toFormatError } from "../rosbag/toFormatError.js";
import type { ByteSourceReadable } from "./ByteSourceReadable.js";
import type { McapContents } from "./McapContents.js";

/** An indexed file, or why its summary cannot drive the reading (then the file is scanned). */
export type IndexedResult = { contents: McapContents } | { problem: string | undefined };

/**
 * Opens a file through its summary section. The summary is usable when every chunk that holds
 * messages has message indexes and no message lies outside a chunk; otherwise the library would
 * skip messages (foxglove/mcap#1735), and the caller scans the data section instead.
 * `problem` is undefined for a file that simply has no summary.
 */
export async function readIndexedMcap(
  name: string,
  readable: ByteSourceReadable,
  decompressHandlers: DecompressHandlers,
): Promise<IndexedResult> {
  let reader: McapIndexedReader;
  try {
    reader = await McapIndexedReader.Initialize({ readable, decompressHandlers });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { problem: /not indexed|magic/i.test(message) ? undefined : message };
  }
  const problem = unusableIndex(reader);
  if (problem !== undefined) return { problem };
  return { contents: indexedContents(name, reader, readable) };
}

function unusableIndex(reader: McapIndexedReader): string | undefined {
  // The spec lets a chunk without messages go without message indexes, times set to 0.
  const unindexed = reader.chunkIndexes.find(
    (c) =>
      c.messageIndexOffsets.size === 0 && (c.messageStartTime !== 0n || c.messageEndTime !== 0n),
  );
  if (unindexed) {
    return `chunk at byte ${unindexed.chunkStartOffset} has no message indexes`;
  }
  const inChunks = reader.chunkIndexes.length > 0;
  const messageCount = reader.statistics?.messageCount;
  if (!inChunks && messageCount !== 0n) {
    return messageCount === undefined
      ? "no chunk indexes and no statistics: messages may lie outside chunks"
      : `${messageCount} messages outside chunks`;
  }
  return undefined;
}

function indexedContents(
  name: string,
  reader: McapIndexedReader,
  readable: ByteSourceReadable,
): McapContents {
  const chunks = reader.chunkIndexes;
  const starts = chunks.map((c) => c.messageStartTime);
  const ends = chunks.map((c) => c.messageEndTime);
  return {
    header: reader.header,
    channels: reader.channelsById,
    schemas: reader.schemasById,
    messageCounts: reader.statistics?.channelMessageCounts ?? new Map(),
    compression: [...new Set(chunks.map((c) => c.compression || "none"))],
    finalized: true,
    indexed: true,
    startNs: reader.statistics?.messageStartTime ?? starts.reduce(min, starts[0] ?? 0n),
    endNs: reader.statistics?.messageEndTime ?? ends.reduce(max, ends[0] ?? 0n),
    messages: (fromNs, batchSize) => batches(name, reader, readable, fromNs, batchSize),
    lastOffset: () => readable.lastOffset,
  };
}

async function* batches(
  name: string,
  reader: McapIndexedReader,
  readable: ByteSourceReadable,
  fromNs: bigint,
  batchSize: number,
): AsyncGenerator<Message[]> {
  let batch: Message[] = [];
  try {
    for await (const message of reader.readMessages({ startTime: fromNs })) {
      batch.push(message);
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
  } catch (err) {
    throw toFormatError(name, "chunk or message index read last", readable.lastOffset, err);
  }
  if (batch.length > 0) yield batch;
}

function min(a: bigint, b: bigint): bigint {
  return b < a ? b : a;
}

function max(a: bigint, b: bigint): bigint {
  return b > a ? b : a;
}
