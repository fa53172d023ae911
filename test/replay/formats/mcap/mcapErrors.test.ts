import * as zstd from "@foxglove/wasm-zstd";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { FormatError } from "../../../../replay/formats/FormatError.js";
import { openMcap } from "../../../../replay/formats/mcap/openMcap.js";
import { cdrCanFrame } from "../rosbag/canFrameBytes.js";
import { MemorySource } from "../rosbag/MemorySource.js";
import { dataEndOffset, writeMcap, type TestMessage } from "./mcapBuilder.js";

const TEXT = { topic: "/chatter", schemaName: "std_msgs/msg/String", encoding: "cdr" };
const CAN = { topic: "/can", schemaName: "can_msgs/msg/Frame", encoding: "cdr" };

const messages: TestMessage[] = Array.from({ length: 30 }, (_, i) => ({
  channel: 0,
  logTime: BigInt(i),
  data: new TextEncoder().encode(`message ${i}`),
}));

/** Opens and reads everything; resolves to the count read, or the error it failed with. */
async function outcome(bytes: Uint8Array): Promise<unknown> {
  try {
    const reader = await openMcap(new MemorySource(bytes, "bad.mcap"));
    let count = 0;
    for await (const batch of reader.batches()) count += batch.length;
    return count;
  } catch (err) {
    return err;
  }
}

/** Offset of the first chunk record (opcode 0x06) after the header. */
function firstChunk(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  while (bytes[at] !== 0x06) at += 9 + Number(view.getBigUint64(at + 1, true));
  return at;
}

describe("MCAP reader on bad input", () => {
  let zstdFile: Uint8Array;
  beforeAll(async () => {
    await zstd.isLoaded;
    zstdFile = await writeMcap([TEXT], messages, {
      chunkSize: 200,
      compressChunk: (data) => ({ compression: "zstd", compressedData: zstd.compress(data, 3) }),
    });
  });

  it("rejects a file without the magic, naming file and offset", async () => {
    const err = await outcome(new TextEncoder().encode("#ROSBAG V2.0\n..."));
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toBe(
      "bad.mcap: magic at byte 0: expected 89 4d 43 41 50 30 0d 0a, found 23 52 4f 53 42 41 47 20",
    );
  });

  it("reports a cut inside a record at the record's offset; a cut between reads", async () => {
    const end = dataEndOffset(zstdFile);
    const cuts = fc.integer({ min: 8, max: zstdFile.length - 1 });
    await fc.assert(fc.asyncProperty(cuts, async (cut) => {
      const result = await outcome(zstdFile.subarray(0, cut));
      if (typeof result === "number") {
        // A cut at a record boundary of the data section leaves a readable, unfinished file; a
        // cut in the summary leaves the data whole, and all of it is read.
        expect(result).toBeLessThanOrEqual(messages.length);
        if (cut > end) expect(result).toBe(messages.length);
      } else {
        expect(result).toBeInstanceOf(FormatError);
        expect((result as FormatError).message)
          .toMatch(/^bad\.mcap: record.* at byte \d+: .*truncated/);
      }
    }), { numRuns: 150 });
  });

  it("reports a cut in the middle of a chunk at that chunk's offset", async () => {
    const chunk = firstChunk(zstdFile);
    const err = await outcome(zstdFile.subarray(0, chunk + 40));
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).offset).toBe(chunk);
    expect((err as FormatError).where).toBe("record (opcode 0x6)");
  });

  it("names the chunk whose data fails its CRC, when read through the index", async () => {
    const bytes = (await writeMcap([TEXT], messages, { chunkSize: 200 })).slice();
    const chunk = firstChunk(bytes);
    bytes[chunk + 80] = (bytes[chunk + 80] ?? 0) ^ 0xff;
    const err = await outcome(bytes);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).offset).toBe(chunk);
    expect((err as Error).message).toContain("CRC");
  });

  it("names the chunk whose zstd data is corrupt, when scanning", async () => {
    const bytes = zstdFile.subarray(0, dataEndOffset(zstdFile)).slice();
    const chunk = firstChunk(bytes);
    bytes[chunk + 60] = (bytes[chunk + 60] ?? 0) ^ 0xff;
    const err = await outcome(bytes);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).offset).toBe(chunk);
  });

  it("names the message when a can_msgs/msg/Frame is too short", async () => {
    const short = cdrCanFrame({ id: 1, dlc: 1, data: [1] }).subarray(0, 18);
    const err = await outcome(await writeMcap([CAN], [{ channel: 0, logTime: 7n, data: short }]));
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toContain("message of channel 0 at log time 7 on /can");
  });

  it("fails with a FormatError or reads, whatever byte is corrupted", async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: zstdFile.length - 1 }),
      fc.integer({ min: 0, max: 255 }),
      fc.boolean(),
      async (at, value, unfinished) => {
        const corrupt = zstdFile.slice();
        corrupt[at] = value;
        const file = unfinished ? corrupt.subarray(0, dataEndOffset(zstdFile)) : corrupt;
        const result = await outcome(file);
        if (typeof result !== "number") expect(result).toBeInstanceOf(FormatError);
      },
    ), { numRuns: 300 });
  });
});
