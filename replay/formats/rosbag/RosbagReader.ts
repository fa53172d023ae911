import type { Bag } from "@foxglove/rosbag";
import type { ByteSource } from "../../sources/ByteSource.js";
import { FormatError } from "../FormatError.js";
import type { GroupDescription, LogDescription, LogReader, ReadOptions } from "../LogReader.js";
import type { LogRecord } from "../LogRecord.js";
import { decodeRos1CanFrame, ROS1_CAN_FRAME_TYPE } from "./decodeRos1CanFrame.js";
import { mergeChunks, type TimedChunk } from "./mergeChunks.js";
import { readMessageData, type MessageData } from "./readMessageData.js";
import type { Decompress } from "./rosbagDecompress.js";
import { rosTimeToNs } from "./rosTimeToNs.js";
import { toFormatError } from "./toFormatError.js";

type ChunkInfo = Bag["chunkInfos"][number];

/** A message data record with where it sits, for errors found after the chunk was read. */
interface BagMessage extends MessageData {
  chunk: number;
  offset: number;
}

const BATCH_SIZE = 4096;

/**
 * A ROS1 bag (2.0) as a LogReader: messages in receive-time order, chunk by chunk.
 *
 * `can_msgs/Frame` messages become CAN frames on a channel named after their topic; every other
 * message stays raw ROS1 bytes (`encoding: "ros1"`).
 */
export class RosbagReader implements LogReader {
  readonly name: string;
  /** The earliest chunk start: chunks need not be in time order in the file. */
  readonly startNs: bigint;
  readonly endNs: bigint;

  constructor(
    private readonly source: ByteSource,
    private readonly bag: Bag,
    private readonly decompress: Decompress,
    private readonly compression: string[],
  ) {
    this.name = source.name;
    const starts = bag.chunkInfos.map((info) => rosTimeToNs(info.startTime));
    const ends = bag.chunkInfos.map((info) => rosTimeToNs(info.endTime));
    this.startNs = starts.reduce((a, b) => (b < a ? b : a), starts[0] ?? 0n);
    this.endNs = ends.reduce((a, b) => (b > a ? b : a), ends[0] ?? 0n);
  }

  describe(): LogDescription {
    return {
      format: "rosbag",
      version: "2.0",
      finalized: true,
      compression: this.compression,
      groups: this.topics(),
      details: {
        connections: this.bag.connections.size,
        chunks: this.bag.chunkInfos.length,
        startNs: this.startNs,
        endNs: this.endNs,
      },
    };
  }

  async *batches(options: ReadOptions = {}): AsyncIterable<readonly LogRecord[]> {
    const from = this.startNs + BigInt(Math.max(0, Math.floor(options.fromNs ?? 0)));
    const chunks = this.bag.chunkInfos
      .map((info, i) => this.timedChunk(info, i))
      .filter((chunk) => chunk.endNs >= from);

    for await (const messages of mergeChunks(chunks, (m) => m.timeNs, BATCH_SIZE)) {
      const batch: LogRecord[] = [];
      for (const message of messages) {
        if (message.timeNs >= from) batch.push(this.toRecord(message));
      }
      if (batch.length > 0) yield batch;
    }
  }

  close(): Promise<void> {
    return this.source.close();
  }

  private topics(): GroupDescription[] {
    const groups = new Map<string, GroupDescription>();
    const countByConn = new Map<number, number>();
    for (const info of this.bag.chunkInfos) {
      for (const { conn, count } of info.connections) {
        countByConn.set(conn, (countByConn.get(conn) ?? 0) + count);
      }
    }
    for (const connection of this.bag.connections.values()) {
      const group = groups.get(connection.topic) ?? {
        name: connection.topic,
        kind: "topic",
        count: 0,
        ...(connection.type !== undefined ? { type: connection.type } : {}),
      };
      group.count = (group.count ?? 0) + (countByConn.get(connection.conn) ?? 0);
      groups.set(connection.topic, group);
    }
    return [...groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private timedChunk(info: ChunkInfo, index: number): TimedChunk<BagMessage> {
    return {
      startNs: rosTimeToNs(info.startTime),
      endNs: rosTimeToNs(info.endTime),
      load: () => this.loadChunk(info, index),
    };
  }

  private async loadChunk(info: ChunkInfo, index: number): Promise<BagMessage[]> {
    let result;
    try {
      result = await this.bag.reader.readChunk(info, this.decompress);
    } catch (err) {
      throw toFormatError(this.name, `chunk ${index}`, info.chunkPosition, err);
    }
    const data = result.chunk.data ?? new Uint8Array(0);

    const entries: { timeNs: bigint; offset: number }[] = [];
    for (const indexData of result.indices) {
      for (const entry of indexData.indices ?? []) {
        entries.push({ timeNs: rosTimeToNs(entry.time), offset: entry.offset });
      }
    }
    // Index data records come one per connection; a chunk's messages interleave them by time.
    entries.sort((a, b) =>
      a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : a.offset - b.offset,
    );
    this.checkRange(entries, info, index);
    return entries.map((entry) => this.readMessage(data, entry, info, index));
  }

  // The merge trusts chunk info time ranges; a message outside its chunk's range would come out
  // of order without this check.
  private checkRange(entries: { timeNs: bigint }[], info: ChunkInfo, index: number): void {
    const first = entries[0]?.timeNs;
    const last = entries.at(-1)?.timeNs;
    const start = rosTimeToNs(info.startTime);
    const end = rosTimeToNs(info.endTime);
    if (first === undefined || last === undefined || (first >= start && last <= end)) return;
    throw new FormatError(this.name, `chunk ${index}`, info.chunkPosition,
      `expected message times within the chunk info's ${start}–${end} ns, ` +
      `found ${first}–${last} ns in its index data`);
  }

  private readMessage(
    data: Uint8Array,
    entry: { timeNs: bigint; offset: number },
    info: ChunkInfo,
    chunk: number,
  ): BagMessage {
    const where = () => `chunk ${chunk}, message data at chunk offset ${entry.offset}`;
    let message;
    try {
      message = readMessageData(data, entry.offset);
    } catch (err) {
      throw toFormatError(this.name, where(), info.chunkPosition, err);
    }
    if (message.timeNs !== entry.timeNs || !this.bag.connections.has(message.conn)) {
      throw new FormatError(this.name, where(), info.chunkPosition,
        `expected conn of a connection record and time ${entry.timeNs} ns as the index data ` +
        `says, found conn ${message.conn} at ${message.timeNs} ns`);
    }
    return { ...message, chunk, offset: entry.offset };
  }

  private toRecord(message: BagMessage): LogRecord {
    const connection = this.bag.connections.get(message.conn);
    const topic = connection?.topic ?? "";
    const type = connection?.type ?? "";
    const timeNs = Number(message.timeNs - this.startNs);
    if (type !== ROS1_CAN_FRAME_TYPE) {
      return {
        kind: "message",
        timeNs,
        channel: topic,
        message: { topic, type, data: message.data, encoding: "ros1" },
      };
    }
    try {
      const frame = decodeRos1CanFrame(message.data, topic);
      return { kind: "frame", timeNs, channel: topic, frame };
    } catch (err) {
      const where = `chunk ${message.chunk}, message data at chunk offset ${message.offset}`;
      const info = this.bag.chunkInfos[message.chunk];
      throw toFormatError(this.name, where, info?.chunkPosition ?? -1, err);
    }
  }
}
