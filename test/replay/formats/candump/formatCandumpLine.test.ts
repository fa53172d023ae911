import { describe, expect, it } from "vitest";
import { makeFrame } from "../../../../drivers/can/CanFrame.js";
import {
  formatCandumpLine,
  formatCandumpTime,
} from "../../../../replay/formats/candump/formatCandumpLine.js";

const T0 = 1_436_509_052_249_713_000n;
const bytes = (...b: number[]) => Uint8Array.from(b);

describe("formatCandumpLine", () => {
  it("writes classic frames with a 3-digit or 8-digit upper-case ID", () => {
    const frame = makeFrame(0x123, bytes(0xde, 0xad, 0xbe, 0xef), { channel: "vcan0" });
    expect(formatCandumpLine(frame, T0)).toBe("(1436509052.249713) vcan0 123#DEADBEEF");
    const ext = makeFrame(0xc9, bytes(), { extended: true });
    expect(formatCandumpLine(ext, T0)).toBe("(1436509052.249713) can0 000000C9#");
  });

  it("writes FD frames as ## plus one flag digit (BRS 1, ESI 2)", () => {
    const fd = makeFrame(0x1abcdef0, bytes(0x11, 0x22), { fd: true, brs: true, esi: true });
    expect(formatCandumpLine(fd, T0)).toBe("(1436509052.249713) can0 1ABCDEF0##31122");
    expect(formatCandumpLine(makeFrame(0x7, bytes(), { fd: true }), T0)).toMatch(/ 007##0$/);
  });

  it("writes remote frames as R with the length, and R8_X for a raw DLC", () => {
    expect(formatCandumpLine(makeFrame(0x321, bytes(), { remote: true, dlc: 0 }), T0))
      .toMatch(/ 321#R$/);
    expect(formatCandumpLine(makeFrame(0x321, bytes(), { remote: true, dlc: 3 }), T0))
      .toMatch(/ 321#R3$/);
    expect(formatCandumpLine(makeFrame(0x321, bytes(), { remote: true, dlc: 13 }), T0))
      .toMatch(/ 321#R8_D$/);
  });

  it("writes a raw DLC 9-15 of an 8-byte classic frame as _X", () => {
    const frame = makeFrame(0x789, bytes(1, 2, 3, 4, 5, 6, 7, 8), { dlc: 14 });
    expect(formatCandumpLine(frame, T0)).toMatch(/ 789#0102030405060708_E$/);
  });

  it("writes error frames as 2xxxxxxx with the class and the data", () => {
    const frame = makeFrame(0x80, bytes(0, 0, 0, 0, 0, 0, 0, 0), { error: true, extended: false });
    expect(formatCandumpLine(frame, T0)).toMatch(/ 20000080#0000000000000000$/);
  });

  it("rounds to the microsecond halves up, or keeps nanoseconds with 9 decimals", () => {
    expect(formatCandumpTime(1_000_000_499n)).toBe("1.000000");
    expect(formatCandumpTime(1_000_000_500n)).toBe("1.000001");
    expect(formatCandumpTime(1_999_999_500n)).toBe("2.000000");
    expect(formatCandumpTime(1_000_000_500n, 9)).toBe("1.000000500");
    expect(formatCandumpTime(5n, 9)).toBe("0.000000005");
  });

  it("refuses what a candump line cannot carry", () => {
    const ok = makeFrame(0x1, bytes());
    expect(() => formatCandumpLine({ ...ok, channel: "can 0" }, T0)).toThrow(RangeError);
    expect(() => formatCandumpLine({ ...ok, channel: "" }, T0)).toThrow(RangeError);
    expect(() => formatCandumpLine({ ...ok, id: 0x800 }, T0)).toThrow(RangeError);
    expect(() => formatCandumpLine({ ...ok, data: new Uint8Array(9) }, T0)).toThrow(RangeError);
    expect(() => formatCandumpLine(ok, -1n)).toThrow(RangeError);
  });
});
