import * as zstd from "@foxglove/wasm-zstd";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { LogReader } from "../../../../replay/formats/LogReader.js";
import type { LogRecord } from "../../../../replay/formats/LogRecord.js";
import { looksLikeMcap } from "../../../../replay/formats/mcap/looksLikeMcap.js";
import { openMcap } from "../../../../replay/formats/mcap/openMcap.js";
import { cdrCanFrame, ros1CanFrame } from "../rosbag/canFrameBytes.js";
import { MemorySource } from "../rosbag/MemorySource.js";
import { lz4Frame } from "./lz4Frame.js";
import { dataEndOffset, writeMcap, type TestMessage } from "./mcapBuilder.js";

const CAN2 = { topic: "/can0/rx", schemaName: "can_msgs/msg/Frame", encoding: "cdr" };
const CAN1 = { topic: "/can1/rx", schemaName: "can_msgs/Frame", encoding: "ros1" };
const TEXT = { topic: "/chatter", schemaName: "std_msgs/msg/String", encoding: "cdr" };

async function readAll(reader: LogReader): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const batch of reader.batches()) records.push(...batch);
  return records;
}

async function open(bytes: Uint8Array) {
  return openMcap(new MemorySource(bytes, "test.mcap"));
}

function texts(count: number, time: (i: number) => bigint): TestMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    channel: 0,
    logTime: time(i),
    data: new TextEncoder().encode(`message ${i} `.repeat(1 + (i % 7))),
  }));
}

function payloads(records: LogRecord[]): string[] {
  return records.map((r) => (r.kind === "message" ? new TextDecoder().decode(r.message.data) : ""));
}

describe("MCAP reader", () => {
  beforeAll(async () => {
    await zstd.isLoaded;
  });

  it("recognises the magic", () => {
    const magic = Uint8Array.of(0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a, 1);
    expect(looksLikeMcap(magic)).toBe(true);
    expect(looksLikeMcap(new TextEncoder().encode("#ROSBAG V2.0\n"))).toBe(false);
    expect(looksLikeMcap(Uint8Array.of(0x89, 0x4d))).toBe(false);
  });

  it("turns CDR and ROS1 can_msgs frames into CAN frames on their topics", async () => {
    const messages: TestMessage[] = [
      { channel: 0, logTime: 10n, data: cdrCanFrame({ id: 0x123, dlc: 2, data: [7, 8], sec: 5 }) },
      {
        channel: 0,
        logTime: 20n,
        data: cdrCanFrame({ id: 0x1abcdef, isExtended: true, dlc: 8, data: [1, 2, 3, 4, 5, 6, 7, 8],
          frameId: "a-longer-frame-id" }, false),
      },
      { channel: 1, logTime: 30n, data:
          ros1CanFrame({ id: 0x7e8, isRtr: true, dlc: 8, data: [] }) },
      { channel: 0, logTime: 40n, data:
          cdrCanFrame({ id: 0x20, isError: true, dlc: 8, data: [] }) },
    ];
    const reader = await open(await writeMcap([CAN2, CAN1], messages));
    const records = await readAll(reader);
    expect(reader.startNs).toBe(10n);
    expect(records.map((r) => [r.kind, r.timeNs, r.channel])).toEqual([
      ["frame", 0, "/can0/rx"], ["frame", 10, "/can0/rx"], ["frame", 20, "/can1/rx"],
      ["frame", 30, "/can0/rx"],
    ]);
    const frames = records.map((r) => (r.kind === "frame" ? r.frame : undefined));
    expect(frames[0]).toMatchObject({ id: 0x123, extended: false, dlc: 2 });
    expect(frames[0]?.data).toEqual(Uint8Array.of(7, 8));
    expect(frames[1]).toMatchObject({ id: 0x1abcdef, extended: true, dlc: 8 });
    expect(frames[1]?.data).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    expect(frames[2]).toMatchObject({ id: 0x7e8, remote: true, dlc: 8, data: new Uint8Array(0) });
    expect(frames[3]).toMatchObject({ id: 0x20, error: true, channel: "/can0/rx" });
  });

  it("keeps other messages raw with topic, schema name and encoding", async () => {
    const data = Uint8Array.of(0, 1, 0, 0, 3, 0, 0, 0, 0x68, 0x69, 0);
    const reader = await open(await writeMcap([TEXT], [{ channel: 0, logTime: 5n, data }]));
    expect(await readAll(reader)).toEqual([{
      kind: "message",
      timeNs: 0,
      channel: "/chatter",
      message: { topic: "/chatter", type: "std_msgs/msg/String", data, encoding: "cdr" },
    }]);
    expect(reader.describe()).toMatchObject({
      format: "mcap",
      version: "0",
      producer: "roadrig-test",
      finalized: true,
      groups: [{ name: "/chatter", kind: "topic", type: "std_msgs/msg/String", count: 1 }],
      details: { profile: "ros2", indexed: true },
    });
  });

  it("reads lz4 and zstd chunks to the same stream as uncompressed ones", async () => {
    const messages = texts(300, (i) => BigInt(i) * 1000n);
    const options = { chunkSize: 2048 };
    const plain = await readAll(await open(await writeMcap([TEXT], messages, options)));
    const lz4 = await open(await writeMcap([TEXT], messages, {
      ...options,
      compressChunk: (data) => ({ compression: "lz4", compressedData: lz4Frame(data) }),
    }));
    const zst = await open(await writeMcap([TEXT], messages, {
      ...options,
      compressChunk: (data) => ({ compression: "zstd", compressedData: zstd.compress(data, 3) }),
    }));
    expect(lz4.describe().compression).toEqual(["lz4"]);
    expect(zst.describe().compression).toEqual(["zstd"]);
    expect(plain).toHaveLength(300);
    expect(await readAll(lz4)).toEqual(plain);
    expect(await readAll(zst)).toEqual(plain);
  });

  it("merges overlapping chunks into time order, through the index and by scanning", async () => {
    const times = fc.array(fc.bigInt({ min: 0n, max: 50n }), { minLength: 1, maxLength: 80 });
    await fc.assert(fc.asyncProperty(times, async (logTimes) => {
      const messages = logTimes.map((t, i) => ({
        channel: 0, logTime: t, data: new TextEncoder().encode(String(i)),
      }));
      const bytes = await writeMcap([TEXT], messages, { chunkSize: 40 });
      const expected = messages
        .map((m, i) => ({ t: m.logTime, i }))
        .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.i - b.i))
        .map(({ i }) => String(i));
      const indexed = await open(bytes);
      const unfinished = await open(bytes.subarray(0, dataEndOffset(bytes)));
      expect(unfinished.describe().details?.["indexed"]).toBe(false);
      expect(payloads(await readAll(indexed))).toEqual(expected);
      expect(payloads(await readAll(unfinished))).toEqual(expected);
    }), { numRuns: 40 });
  });

  it("reads a file that was never finished (no summary, no footer) by scanning", async () => {
    const messages = texts(50, (i) => 1_000n + BigInt(i));
    const bytes = await writeMcap([TEXT], messages, {
      chunkSize: 512,
      compressChunk: (data) => ({ compression: "zstd", compressedData: zstd.compress(data, 3) }),
    });
    const reader = await open(bytes.subarray(0, dataEndOffset(bytes)));
    expect(reader.describe()).toMatchObject({
      finalized: false,
      compression: ["zstd"],
      groups: [{ name: "/chatter", count: 50, type: "std_msgs/msg/String" }],
      details: { indexed: false },
    });
    expect(reader.startNs).toBe(1000n);
    expect(payloads(await readAll(reader))).toEqual(payloads(await readAll(await open(bytes))));
  });

  it("reads messages written outside chunks, in time order, in few reads", async () => {
    const messages = texts(400, (i) => BigInt((i * 7) % 400));
    const source = new MemorySource(await writeMcap([TEXT], messages, { useChunks: false }));
    const reader = await openMcap(source);
    expect(reader.describe().details?.["indexed"]).toBe(false);
    const records = await readAll(reader);
    expect(records.map((r) => r.timeNs)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(source.reads.length).toBeLessThan(20);
  });

  it("starts at fromNs on both reading paths", async () => {
    const messages = texts(100, (i) => 500n + BigInt(i) * 10n);
    const bytes = await writeMcap([TEXT], messages, { chunkSize: 256 });
    for (const file of [bytes, bytes.subarray(0, dataEndOffset(bytes))]) {
      const reader = await open(file);
      const records: LogRecord[] = [];
      for await (const batch of reader.batches({ fromNs: 555 })) records.push(...batch);
      const expected = Array.from({ length: 44 }, (_, i) => 560 + i * 10);
      expect(records.map((r) => r.timeNs)).toEqual(expected);
    }
  });

  it("reads a file without messages", async () => {
    const reader = await open(await writeMcap([TEXT], []));
    expect(reader.startNs).toBe(0n);
    expect(await readAll(reader)).toEqual([]);
    expect(reader.describe().groups).toEqual([
      { name: "/chatter", kind: "topic", type: "std_msgs/msg/String", count: 0 },
    ]);
  });

  it("closes its source", async () => {
    const source = new MemorySource(await writeMcap([TEXT], []));
    const reader = await openMcap(source);
    await reader.close();
    expect(source.closed).toBe(true);
  });
});
