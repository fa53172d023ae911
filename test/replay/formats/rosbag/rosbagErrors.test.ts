import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormatError, UnsupportedError } from "../../../../replay/formats/FormatError.js";
import { openRosbag } from "../../../../replay/formats/rosbag/openRosbag.js";
import { buildBag, type BagChunk } from "./bagBuilder.js";
import { ros1CanFrame } from "./canFrameBytes.js";
import { MemorySource } from "./MemorySource.js";

const TEXT = { conn: 1, topic: "/chatter", type: "std_msgs/String" };
const CAN = { conn: 2, topic: "/can", type: "can_msgs/Frame" };

function chunks(compression: "none" | "lz4" = "none"): BagChunk[] {
  return [0, 1].map((c) => ({
    compression,
    messages: [1, 2, 3].map((i) => ({
      conn: 1, sec: c * 10 + i, nsec: 0, data: Uint8Array.of(1, 0, 0, 0, 0x41 + i),
    })),
  }));
}

/** Opens and reads everything; resolves to the error it failed with, if any. */
async function failure(bytes: Uint8Array, name = "bad.bag"): Promise<unknown> {
  try {
    const reader = await openRosbag(new MemorySource(bytes, name));
    for await (const batch of reader.batches()) expect(batch.length).toBeGreaterThan(0);
    return undefined;
  } catch (err) {
    return err;
  }
}

describe("rosbag reader on bad input", () => {
  it("rejects a file without the version line, naming file and offset", async () => {
    const err = await failure(new TextEncoder().encode("not a bag at all, really"), "x.bag");
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).message).toBe(
      'x.bag: version line at byte 0: expected "#ROSBAG V2.0\\n", found "not a bag at "',
    );
  });

  it("refuses bag format 1.2 by name", async () => {
    const bytes = buildBag([TEXT], chunks()).bytes;
    bytes.set(new TextEncoder().encode("#ROSBAG V1.2\n"));
    const err = await failure(bytes);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as Error).message).toContain("bag #ROSBAG V1.2, not V2.0");
  });

  it("refuses an unindexed bag (index_pos 0) and says how to repair it", async () => {
    const bag = buildBag([TEXT], chunks());
    const bytes = bag.bytes.slice();
    const at = new TextDecoder("latin1").decode(bytes).indexOf("index_pos=") + 10;
    bytes.fill(0, at, at + 8);
    const err = await failure(bytes);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as FormatError).offset).toBe(13);
    expect((err as Error).message).toContain("rosbag reindex");
  });

  it("reports a truncated bag at any cut, with the offset where it notices", async () => {
    const bytes = buildBag([TEXT, CAN], chunks("lz4")).bytes;
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: bytes.length - 1 }), async (cut) => {
      const err = await failure(bytes.subarray(0, cut));
      expect(err).toBeInstanceOf(FormatError);
      expect((err as FormatError).file).toBe("bad.bag");
      expect((err as FormatError).offset).toBeGreaterThanOrEqual(0);
    }), { numRuns: 150 });
  });

  it("says which index record a cut in the index leaves short, and by how much", async () => {
    const bag = buildBag([TEXT, CAN], chunks());
    const bytes = bag.bytes;
    const index = bag.indexPos;
    // The first index record (a connection record), whole: 4 + header + 4 + data bytes.
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const headerLength = view.getUint32(index, true);
    const dataLength = view.getUint32(index + 4 + headerLength, true);
    const first = 8 + headerLength + dataLength;
    for (const [cut, expected] of [
      [index + first + 10, `index record 1 at byte ${index + first}: expected a record of `],
      [index + 6, `index record 0 at byte ${index}: expected a record of ${8 + headerLength} bytes or more, ` +
        "found 6 "],
      [index + first - 1, `index record 0 at byte ${index}: expected a record of ${first} bytes, ` +
        `found ${first - 1} `],
    ] as const) {
      const err = await failure(bytes.subarray(0, cut));
      expect(err).toBeInstanceOf(FormatError);
      expect((err as Error).message).toContain(`bad.bag: ${expected}`);
      expect((err as Error).message).toMatch(/before the end of the file \(the bag is truncated\)$/);
    }
  });

  it("names the chunk and message record when a record inside a chunk is corrupt", async () => {
    const bag = buildBag([TEXT], chunks());
    const bytes = bag.bytes.slice();
    const chunkData = bag.chunkPositions[1] as number;
    // Chunk 1 holds no connection record: its first message data record is at offset 0, and the
    // first byte of its header length sits after the chunk record's own header.
    const header = new DataView(bytes.buffer).getUint32(chunkData, true);
    const firstRecord = chunkData + 4 + header + 4;
    bytes[firstRecord] = 0xff;
    const err = await failure(bytes);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).where).toBe("chunk 1, message data at chunk offset 0");
    expect((err as FormatError).offset).toBe(chunkData);
  });

  it("refuses a chunk whose messages lie outside its chunk info's time range", async () => {
    const bag = buildBag([TEXT], chunks());
    const bytes = bag.bytes.slice();
    // Chunk 0's messages carry seconds 1–3; its index data says so too. Move the chunk info's
    // start_time (seconds field) past them.
    const latin = new TextDecoder("latin1").decode(bytes);
    const at = latin.indexOf("start_time=", bag.indexPos) + 11;
    new DataView(bytes.buffer).setUint32(at, 2, true);
    const err = await failure(bytes);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).where).toBe("chunk 0");
    expect((err as Error).message).toContain("expected message times within");
  });

  it("names the chunk when lz4 data does not decompress", async () => {
    const bag = buildBag([TEXT], chunks("lz4"));
    const bytes = bag.bytes.slice();
    const chunk0 = bag.chunkPositions[0] as number;
    const header = new DataView(bytes.buffer).getUint32(chunk0, true);
    bytes[chunk0 + 4 + header + 4] = 0x00; // first byte of the LZ4 frame magic
    const err = await failure(bytes);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).where).toBe("chunk 0");
    expect((err as FormatError).offset).toBe(chunk0);
  });

  it("names the message when a can_msgs/Frame is too short", async () => {
    const short = ros1CanFrame({ id: 1, dlc: 1, data: [1] }).subarray(0, 20);
    const bag = buildBag([CAN], [{ messages: [{ conn: 2, sec: 1, nsec: 0, data: short }] }]);
    const err = await failure(bag.bytes);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(/chunk 0, message data at chunk offset \d+ at byte \d+/);
    expect((err as Error).message).toContain("can_msgs/Frame");
  });

  it("fails with a FormatError or reads, whatever byte is corrupted", async () => {
    const bytes = buildBag([TEXT, CAN], chunks()).bytes;
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: bytes.length - 1 }),
      fc.integer({ min: 0, max: 255 }),
      async (at, value) => {
        const corrupt = bytes.slice();
        corrupt[at] = value;
        const err = await failure(corrupt);
        if (err !== undefined) expect(err).toBeInstanceOf(FormatError);
      },
    ), { numRuns: 300 });
  });
});
