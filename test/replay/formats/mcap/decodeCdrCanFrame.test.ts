import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCdrCanFrame } from "../../../../replay/formats/mcap/decodeCdrCanFrame.js";
import { decodeRos1CanFrame } from "../../../../replay/formats/rosbag/decodeRos1CanFrame.js";
import { cdrCanFrame, ros1CanFrame, type CanFrameFields } from "../rosbag/canFrameBytes.js";

const fields: fc.Arbitrary<CanFrameFields> = fc.record({
  seq: fc.nat({ max: 0xffffffff }),
  sec: fc.nat({ max: 0x7fffffff }),
  nsec: fc.nat({ max: 999_999_999 }),
  frameId: fc.string({ maxLength: 9 }),
  id: fc.nat({ max: 0x1fffffff }),
  isRtr: fc.boolean(),
  isExtended: fc.boolean(),
  isError: fc.boolean(),
  dlc: fc.nat({ max: 15 }),
  data: fc.array(fc.nat({ max: 255 }), { minLength: 8, maxLength: 8 }),
});

function expected(f: CanFrameFields) {
  const length = f.isRtr === true ? 0 : Math.min(f.dlc, 8);
  return {
    id: f.id,
    extended: f.isExtended,
    remote: f.isRtr,
    error: f.isError,
    dlc: f.dlc,
    data: Uint8Array.from(f.data.slice(0, length)),
    channel: "/can",
  };
}

describe("can_msgs frame decoders", () => {
  it("decode every field of ROS1 frames, whatever the frame_id length", () => {
    fc.assert(fc.property(fields, (f) => {
      expect(decodeRos1CanFrame(ros1CanFrame(f), "/can")).toMatchObject(expected(f));
    }));
  });

  it("decode every field of CDR frames in both byte orders, whatever the alignment", () => {
    fc.assert(fc.property(fields, fc.boolean(), (f, littleEndian) => {
      expect(decodeCdrCanFrame(cdrCanFrame(f, littleEndian), "/can")).toMatchObject(expected(f));
    }));
  });

  it("refuses parameter-list CDR and messages cut short", () => {
    const frame = cdrCanFrame({ id: 1, dlc: 0, data: [] });
    const pl = frame.slice();
    pl[1] = 0x03;
    expect(() => decodeCdrCanFrame(pl, "/can")).toThrow("expected a plain CDR encapsulation");
    expect(() => decodeCdrCanFrame(frame.subarray(0, frame.length - 1), "/can"))
      .toThrow("expected 16 bytes");
    const ros1 = ros1CanFrame({ id: 1, dlc: 0, data: [] });
    expect(() => decodeRos1CanFrame(ros1.subarray(0, 10), "/can")).toThrow("expected 4 bytes");
  });
});
