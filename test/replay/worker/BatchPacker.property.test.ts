import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import type { LogRecord } from "../../../replay/formats/LogRecord.js";
import { BatchPacker } from "../../../replay/worker/BatchPacker.js";
import { BatchUnpacker } from "../../../replay/worker/BatchUnpacker.js";

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

describe("BatchPacker and BatchUnpacker", () => {
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
