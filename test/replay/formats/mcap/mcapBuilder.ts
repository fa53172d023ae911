import { McapWriter, TempBuffer, type McapWriterOptions } from "@mcap/core";

export interface TestChannel {
  topic: string;
  schemaName: string;
  encoding: string;
}

export interface TestMessage {
  channel: number;
  logTime: bigint;
  data: Uint8Array;
}

/** An MCAP file written by the library's own writer, with options a test chooses. */
export async function writeMcap(
  channels: TestChannel[],
  messages: TestMessage[],
  options: Omit<McapWriterOptions, "writable"> = {},
): Promise<Uint8Array> {
  const buffer = new TempBuffer();
  const writer = new McapWriter({ writable: buffer, ...options });
  await writer.start({ profile: "ros2", library: "roadrig-test" });
  const ids: number[] = [];
  for (const c of channels) {
    const schemaId = await writer.registerSchema({
      name: c.schemaName,
      encoding: c.encoding === "cdr" ? "ros2msg" : "ros1msg",
      data: new Uint8Array(0),
    });
    ids.push(await writer.registerChannel({
      topic: c.topic,
      schemaId,
      messageEncoding: c.encoding,
      metadata: new Map(),
    }));
  }
  let sequence = 0;
  for (const m of messages) {
    await writer.addMessage({
      channelId: ids[m.channel] as number,
      sequence: sequence++,
      logTime: m.logTime,
      publishTime: m.logTime,
      data: m.data,
    });
  }
  await writer.end();
  return buffer.get();
}

/** Where the data section ends (the Data End record), read from the footer. */
export function dataEndOffset(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const footer = bytes.length - 8 - 29;
  const summaryStart = Number(view.getBigUint64(footer + 9, true));
  return summaryStart - 13;
}
