import type { Message } from "@mcap/core";
import type { ByteSource } from "../../sources/ByteSource.js";
import { FormatError } from "../FormatError.js";
import type { GroupDescription, LogDescription, LogReader, ReadOptions } from "../LogReader.js";
import type { LogRecord } from "../LogRecord.js";
import { decodeRos1CanFrame, ROS1_CAN_FRAME_TYPE } from "../rosbag/decodeRos1CanFrame.js";
import { toFormatError } from "../rosbag/toFormatError.js";
import { decodeCdrCanFrame, ROS2_CAN_FRAME_TYPE } from "./decodeCdrCanFrame.js";
import type { McapContents } from "./McapContents.js";

const BATCH_SIZE = 4096;

/**
 * An MCAP file as a LogReader: messages in log-time order.
 *
 * `can_msgs/msg/Frame` (CDR) and `can_msgs/Frame` (ROS1) messages become CAN frames on a channel
 * named after their topic; every other message stays raw bytes with the channel's encoding.
 */
export class McapLogReader implements LogReader {
  readonly name: string;
  readonly startNs: bigint;

  constructor(
    private readonly source: ByteSource,
    private readonly contents: McapContents,
  ) {
    this.name = source.name;
    this.startNs = contents.startNs;
  }

  describe(): LogDescription {
    const c = this.contents;
    return {
      format: "mcap",
      version: "0",
      producer: c.header.library,
      finalized: c.finalized,
      compression: c.compression,
      groups: this.topics(),
      details: {
        profile: c.header.profile,
        indexed: c.indexed,
        channels: c.channels.size,
        startNs: c.startNs,
        endNs: c.endNs,
        ...(c.summaryProblem !== undefined ? { summaryProblem: c.summaryProblem } : {}),
      },
    };
  }

  async *batches(options: ReadOptions = {}): AsyncIterable<readonly LogRecord[]> {
    const from = this.startNs + BigInt(Math.max(0, Math.floor(options.fromNs ?? 0)));
    for await (const messages of this.contents.messages(from, BATCH_SIZE)) {
      yield messages.map((message) => this.toRecord(message));
    }
  }

  close(): Promise<void> {
    return this.source.close();
  }

  private topics(): GroupDescription[] {
    const groups = new Map<string, GroupDescription>();
    for (const channel of this.contents.channels.values()) {
      const type = this.contents.schemas.get(channel.schemaId)?.name;
      const count = this.contents.messageCounts.get(channel.id) ?? 0n;
      const group = groups.get(channel.topic) ?? {
        name: channel.topic,
        kind: "topic",
        count: 0,
        ...(type !== undefined ? { type } : {}),
      };
      group.count = (group.count ?? 0) + Number(count);
      groups.set(channel.topic, group);
    }
    return [...groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private toRecord(message: Message): LogRecord {
    const channel = this.contents.channels.get(message.channelId);
    const where = () => `message of channel ${message.channelId} at log time ${message.logTime}`;
    if (!channel) {
      throw new FormatError(this.name, where(), this.contents.lastOffset(),
        "expected a channel record for its channel id, found none");
    }
    const topic = channel.topic;
    const type = this.contents.schemas.get(channel.schemaId)?.name ?? "";
    const encoding = channel.messageEncoding;
    const timeNs = Number(message.logTime - this.startNs);
    try {
      if (type === ROS2_CAN_FRAME_TYPE && encoding === "cdr") {
        const frame = decodeCdrCanFrame(message.data, topic);
        return { kind: "frame", timeNs, channel: topic, frame };
      }
      if (type === ROS1_CAN_FRAME_TYPE && encoding === "ros1") {
        const frame = decodeRos1CanFrame(message.data, topic);
        return { kind: "frame", timeNs, channel: topic, frame };
      }
    } catch (err) {
      throw toFormatError(this.name, `${where()} on ${topic}`, this.contents.lastOffset(), err);
    }
    return {
      kind: "message",
      timeNs,
      channel: topic,
      message: { topic, type, data: message.data, encoding },
    };
  }
}
