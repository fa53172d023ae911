import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import type { LogRecord } from "../../../replay/formats/LogRecord.js";
import { BatchPacker } from "../../../replay/worker/BatchPacker.js";
import { BatchUnpacker, MAX_COPIED_PAYLOAD } from "../../../replay/worker/BatchUnpacker.js";

const name = fc.constantFrom("can0", "can1", "vcan0", "/imu", "CAN 2", "é");

const frameRecord: fc.Arbitrary<LogRecord> = fc.record({
  timeNs: fc.integer({ min: -1e12, max: 1e15 }),
  channel: name,
  id: fc.integer({ min: 0, max: 0x1fffffff }),
  flags: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  dlc: fc.integer({ min: 0, max: 15 }),
  data: fc.uint8Array({ maxLength: 64 }),
  frameChannel: name,
  dir: fc.constantFrom(undefined, "rx", "tx"),
}).map(({ timeNs, channel, id, flags, dlc, data, frameChannel, dir }) => {
  const [extended, fd, brs, esi, remote, error] = flags;
  const frame: CanFrame = {
    id, extended: extended as boolean, fd: fd as boolean, brs: brs as boolean,
    esi: esi as boolean, remote: remote as boolean, error: error as boolean,
    dlc, data, channel: frameChannel,
  };
  if (dir !== undefined) frame.dir = dir;
  return { kind: "frame", timeNs, channel, frame };
});

const messageRecord: fc.Arbitrary<LogRecord> = fc.record({
  timeNs: fc.integer({ min: 0, max: 1e15 }),
  channel: name,
  topic: name,
  type: fc.constantFrom("std_msgs/String", "can_msgs/Frame"),
  data: fc.uint8Array({ maxLength: 300 }),
  encoding: fc.constantFrom(undefined, "ros1", "cdr"),
}).map(({ timeNs, channel, topic, type, data, encoding }) => ({
  kind: "message",
  timeNs,
  channel,
  message: { topic, type, data, ...(encoding !== undefined ? { encoding } : {}) },
}));

/** Packs each group as one batch, crossing a copy of the buffer as a transfer would. */
function roundTrip(groups: LogRecord[][]): LogRecord[] {
  const packer = new BatchPacker();
  const unpacker = new BatchUnpacker();
  const out: LogRecord[] = [];
  for (const group of groups) {
    for (const record of group) packer.add(record);
    const packed = packer.take();
    unpacker.addStrings(packed.strings);
    const columns = unpacker.columns(packed.buffer.slice(0), packed.count);
    for (let from = 0; from < packed.count; from += 7) {
      out.push(...unpacker.decode(columns, from, Math.min(packed.count, from + 7)));
    }
  }
  return out;
}

/**
 * As roundTrip, the way the read worker and the replay's thread recycle buffers: a batch whose
 * payloads are all small is decoded with copies, and its buffer is transferred back (which
 * detaches it) for the packer to fill again. Every record is kept to the end.
 */
function recyclingRoundTrip(groups: LogRecord[][]): { records: LogRecord[]; reused: number } {
  const packer = new BatchPacker(1 << 20);
  const unpacker = new BatchUnpacker();
  const records: LogRecord[] = [];
  const given = new Set<ArrayBuffer>();
  let reused = 0;
  for (const group of groups) {
    for (const record of group) packer.add(record);
    const packed = packer.take();
    if (given.has(packed.buffer)) reused++;
    unpacker.addStrings(packed.strings);
    const columns = unpacker.columns(packed.buffer, packed.count);
    const copy = unpacker.copies(columns, packed.count);
    records.push(...unpacker.decode(columns, 0, packed.count, copy));
    if (!copy) continue;
    const back = structuredClone(packed.buffer, { transfer: [packed.buffer] });
    given.add(back);
    packer.recycle(back);
  }
  return { records, reused };
}

describe("BatchPacker and BatchUnpacker", () => {
  it("give back every record kept across batches when buffers are recycled", () => {
    const record = fc.oneof({ arbitrary: frameRecord, weight: 8 }, messageRecord);
    fc.assert(fc.property(fc.array(fc.array(record, { maxLength: 40 }), { maxLength: 8 }),
      (groups) => {
        expect(recyclingRoundTrip(groups).records).toEqual(groups.flat());
      }));
  });

  it("packs into a buffer sent back, and copies payloads out only when all are small", () => {
    const frames = (n: number, bytes: number): LogRecord[] => Array.from({ length: n }, (_, i) => ({
      kind: "frame", timeNs: i, channel: "can0",
      frame: { id: i, extended: false, fd: true, brs: false, esi: false, remote: false,
        error: false, dlc: 15, data: new Uint8Array(bytes).fill(i & 0xff), channel: "can0" },
    }));
    const groups = Array.from({ length: 20 }, () => frames(100, MAX_COPIED_PAYLOAD));
    const { records, reused } = recyclingRoundTrip(groups);
    expect(records).toEqual(groups.flat());
    expect(reused).toBe(19);
    for (const r of records) {
      const { data } = (r as Extract<LogRecord, { kind: "frame" }>).frame;
      expect(data.buffer.byteLength).toBe(data.byteLength);
    }

    const unpacker = new BatchUnpacker();
    const packer = new BatchPacker();
    for (const r of frames(3, MAX_COPIED_PAYLOAD + 1)) packer.add(r);
    const packed = packer.take();
    const columns = unpacker.columns(packed.buffer, packed.count);
    expect(unpacker.copies(columns, packed.count)).toBe(false);
  });

  it("keeps no more spare bytes than it was given room for", () => {
    const packer = new BatchPacker(100_000);
    const first = new ArrayBuffer(65_536);
    const second = new ArrayBuffer(65_536);
    packer.recycle(first);
    packer.recycle(second);
    packer.add({ kind: "message", timeNs: 0, channel: "/a",
      message: { topic: "/a", type: "t", data: new Uint8Array(10) } });
    expect(packer.take().buffer).toBe(first);
    packer.add({ kind: "message", timeNs: 0, channel: "/a",
      message: { topic: "/a", type: "t", data: new Uint8Array(10) } });
    expect(packer.take().buffer).not.toBe(second);
  });

  it("give back every field of frames and messages, over batches of any size", () => {
    const record = fc.oneof({ arbitrary: frameRecord, weight: 4 }, messageRecord);
    fc.assert(fc.property(fc.array(fc.array(record, { maxLength: 40 }), { maxLength: 5 }),
      (groups) => {
        expect(roundTrip(groups)).toEqual(groups.flat());
      }));
  });

  it("sends each name once, with the first batch that uses it", () => {
    const packer = new BatchPacker();
    const frame = (channel: string): LogRecord => ({
      kind: "frame", timeNs: 0, channel,
      frame: { id: 1, extended: false, fd: false, brs: false, esi: false, remote: false,
        error: false, dlc: 0, data: new Uint8Array(0), channel },
    });
    packer.add(frame("can0"));
    packer.add(frame("can0"));
    expect(packer.take().strings).toEqual(["can0"]);
    packer.add(frame("can0"));
    packer.add(frame("can1"));
    expect(packer.take().strings).toEqual(["can1"]);
  });

  it("still sends the names of discarded records with the next batch", () => {
    const packer = new BatchPacker();
    packer.add({ kind: "message", timeNs: 0, channel: "/a",
      message: { topic: "/a", type: "t", data: new Uint8Array(2) } });
    packer.discard();
    expect(packer.count).toBe(0);
    const packed = packer.take();
    expect(packed.count).toBe(0);
    expect(packed.strings).toEqual(["/a", "t"]);
  });

  it("keeps a payload that outgrows the scratch buffer intact", () => {
    const big = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
    const records: LogRecord[] = [{ kind: "message", timeNs: 5, channel: "/img",
      message: { topic: "/img", type: "sensor_msgs/Image", data: big } }];
    expect(roundTrip([records])).toEqual(records);
  });
});
