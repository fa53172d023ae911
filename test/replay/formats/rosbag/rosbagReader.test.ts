import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../../../replay/formats/LogRecord.js";
import { looksLikeRosbag } from "../../../../replay/formats/rosbag/looksLikeRosbag.js";
import { openRosbag } from "../../../../replay/formats/rosbag/openRosbag.js";
import { buildBag, type BagMessage } from "./bagBuilder.js";
import { ros1CanFrame } from "./canFrameBytes.js";
import { MemorySource } from "./MemorySource.js";

const CAN = { conn: 0, topic: "/can0/received", type: "can_msgs/Frame" };
const TEXT = { conn: 1, topic: "/chatter", type: "std_msgs/String" };

function text(s: string): Uint8Array {
  const bytes = new TextEncoder().encode(s);
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length, true);
  out.set(bytes, 4);
  return out;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function readAll(source: MemorySource): Promise<LogRecord[]> {
  const reader = await openRosbag(source);
  const records: LogRecord[] = [];
  for await (const batch of reader.batches()) records.push(...batch);
  await reader.close();
  return records;
}

describe("rosbag reader", () => {
  it("recognises the version line", () => {
    expect(looksLikeRosbag(new TextEncoder().encode("#ROSBAG V2.0\n"))).toBe(true);
    expect(looksLikeRosbag(new TextEncoder().encode("#ROSBAG V1.2\n"))).toBe(true);
    expect(looksLikeRosbag(new TextEncoder().encode("\x89MCAP0\r\n"))).toBe(false);
    expect(looksLikeRosbag(new Uint8Array(3))).toBe(false);
  });

  it("turns can_msgs/Frame messages into CAN frames on the topic at receive time", async () => {
    const frames = [
      ros1CanFrame({ id: 0x123, dlc: 3, data: [1, 2, 3, 9, 9, 9, 9, 9], sec: 99, frameId: "x" }),
      ros1CanFrame({ id: 0x18daf110, isExtended: true, dlc: 8, data: [1, 2, 3, 4, 5, 6, 7, 8] }),
      ros1CanFrame({ id: 0x7df, isRtr: true, dlc: 4, data: [0, 0, 0, 0, 0, 0, 0, 0] }),
      ros1CanFrame({ id: 0x4, isError: true, dlc: 8, data: [0, 0, 4, 0, 0, 0, 0, 0] }),
      ros1CanFrame({ id: 0x100, dlc: 12, data: [1, 2, 3, 4, 5, 6, 7, 8] }),
    ];
    const messages = frames.map((data, i) => ({ conn: 0, sec: 10, nsec: i * 1000, data }));
    const bag = buildBag([CAN], [{ messages }]);
    const records = await readAll(new MemorySource(bag.bytes));

    expect(records.map((r) => [r.kind, r.timeNs, r.channel])).toEqual(
      frames.map((_, i) => ["frame", i * 1000, CAN.topic]),
    );
    const got = records.map((r) => (r.kind === "frame" ? r.frame : undefined));
    expect(got[0]).toMatchObject({ id: 0x123, extended: false, remote: false, error: false });
    expect(got[0]?.dlc).toBe(3);
    expect(got[0]?.data).toEqual(Uint8Array.of(1, 2, 3));
    expect(got[1]).toMatchObject({ id: 0x18daf110, extended: true, dlc: 8 });
    expect(got[2]).toMatchObject({ id: 0x7df, remote: true, dlc: 4, data: new Uint8Array(0) });
    expect(got[3]).toMatchObject({ id: 0x4, error: true, dlc: 8 });
    expect(got[4]).toMatchObject({ dlc: 12, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) });
    expect(got[0]?.channel).toBe(CAN.topic);
  });

  it("keeps other messages as raw ROS1 bytes with topic and type", async () => {
    const data = text("hello");
    const bag = buildBag([TEXT], [{ messages: [{ conn: 1, sec: 5, nsec: 7, data }] }]);
    const reader = await openRosbag(new MemorySource(bag.bytes));
    expect(reader.startNs).toBe(5_000_000_007n);
    const [batch] = await collect(reader.batches());
    expect(batch).toEqual([{
      kind: "message",
      timeNs: 0,
      channel: "/chatter",
      message: { topic: "/chatter", type: "std_msgs/String", data, encoding: "ros1" },
    }]);
    expect(reader.describe()).toMatchObject({
      format: "rosbag",
      version: "2.0",
      finalized: true,
      compression: ["none"],
      groups: [{ name: "/chatter", kind: "topic", type: "std_msgs/String", count: 1 }],
    });
  });

  it("reads lz4 chunks to the same stream as uncompressed ones", async () => {
    const messages = Array.from({ length: 50 }, (_, i) => ({
      conn: 1, sec: 1, nsec: i, data: text(`message ${i} `.repeat(i)),
    }));
    const plain = buildBag([TEXT], [{ messages }]);
    const lz4 = buildBag([TEXT], [{ messages, compression: "lz4" }]);
    expect(lz4.bytes.length).not.toBe(plain.bytes.length);
    const reader = await openRosbag(new MemorySource(lz4.bytes));
    expect(reader.describe().compression).toEqual(["lz4"]);
    await reader.close();
    expect(await readAll(new MemorySource(lz4.bytes)))
      .toEqual(await readAll(new MemorySource(plain.bytes)));
  });

  it("yields every message in time order, ties in file order, however chunks overlap", async () => {
    const message = fc.record({
      sec: fc.integer({ min: 1, max: 4 }),
      nsec: fc.integer({ min: 0, max: 3 }),
    });
    const chunk = fc.array(message, { minLength: 1, maxLength: 6 });
    const chunks = fc.array(chunk, { minLength: 1, maxLength: 5 });
    await fc.assert(fc.asyncProperty(chunks, async (layout) => {
      let serial = 0;
      const built = layout.map((times) => ({
        messages: times.map((t): BagMessage => ({ conn: 1, ...t, data: text(String(serial++)) })),
      }));
      const expected = built
        .flatMap((chunk, c) => chunk.messages.map((m, i) => ({ m, c, i })))
        .sort((a, b) => a.m.sec - b.m.sec || a.m.nsec - b.m.nsec || a.c - b.c || a.i - b.i)
        .map(({ m }) => new TextDecoder().decode(m.data.subarray(4)));
      const records = await readAll(new MemorySource(buildBag([TEXT], built).bytes));
      const got = records.map((r) =>
        r.kind === "message" ? new TextDecoder().decode(r.message.data.subarray(4)) : "",
      );
      expect(got).toEqual(expected);
    }), { numRuns: 60 });
  });

  it("reads a chunk only when the merge reaches its start time", async () => {
    // Chunk 0 alone fills the first batch (4096 records); the later chunks are not needed yet.
    const chunks = [0, 1, 2].map((c) => ({
      messages: Array.from({ length: 5000 }, (_, i) => ({
        conn: 1, sec: c * 10 + 1, nsec: i, data: text(`${c}.${i}`),
      })),
    }));
    const bag = buildBag([TEXT], chunks);
    const source = new MemorySource(bag.bytes);
    const reader = await openRosbag(source);
    const readsAtOpen = source.reads.length;
    const merged = reader.batches()[Symbol.asyncIterator]();
    const first = await merged.next();
    expect(first.value).toHaveLength(4096);
    const chunkReads = source.reads.slice(readsAtOpen).map((r) => r.offset);
    expect(chunkReads).toEqual(bag.chunkPositions.slice(0, 1));
    await reader.close();
    expect(source.closed).toBe(true);
  });

  it("skips to fromNs", async () => {
    const messages = [1, 2, 3, 4].map((sec) => ({
      conn: 1, sec, nsec: 0, data: text(String(sec)),
    }));
    const bag = buildBag([TEXT], messages.map((m) => ({ messages: [m] })));
    const source = new MemorySource(bag.bytes);
    const reader = await openRosbag(source);
    const readsAtOpen = source.reads.length;
    const records = (await collect(reader.batches({ fromNs: 2_000_000_000 }))).flat();
    expect(records.map((r) => r.timeNs)).toEqual([2_000_000_000, 3_000_000_000]);
    const chunkReads = source.reads.slice(readsAtOpen).map((r) => r.offset);
    expect(chunkReads).toEqual(bag.chunkPositions.slice(2));
  });
});
