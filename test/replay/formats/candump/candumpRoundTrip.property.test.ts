import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lengthToDlc, type CanFrame } from "../../../../drivers/can/CanFrame.js";
import { formatCandumpLine } from "../../../../replay/formats/candump/formatCandumpLine.js";
import { parseCandumpLine } from "../../../../replay/formats/candump/parseCandumpLine.js";

const channel = fc.stringMatching(/^[a-z][a-z0-9_-]{0,14}$/);

const anyId = {
  extended: fc.boolean(),
  id11: fc.integer({ min: 0, max: 0x7ff }),
  id29: fc.integer({ min: 0, max: 0x1fffffff }),
};

const classic = fc.record({
  ...anyId,
  data: fc.uint8Array({ maxLength: 8 }),
  rawDlc: fc.integer({ min: 9, max: 15 }),
  useRaw: fc.boolean(),
  channel,
}).map(({ extended, id11, id29, data, rawDlc, useRaw, channel }): CanFrame => ({
  id: extended ? id29 : id11,
  extended,
  fd: false,
  brs: false,
  esi: false,
  remote: false,
  error: false,
  dlc: data.length === 8 && useRaw ? rawDlc : data.length,
  data,
  channel,
}));

const fd = fc.record({
  ...anyId,
  data: fc.uint8Array({ maxLength: 64 }),
  brs: fc.boolean(),
  esi: fc.boolean(),
  channel,
}).map(({ extended, id11, id29, data, brs, esi, channel }): CanFrame => ({
  id: extended ? id29 : id11, extended, fd: true, brs, esi, remote: false, error: false,
  dlc: lengthToDlc(data.length), data, channel,
}));

const remote = fc.record({
  ...anyId,
  dlc: fc.integer({ min: 0, max: 15 }),
  channel,
}).map(({ extended, id11, id29, dlc, channel }): CanFrame => ({
  id: extended ? id29 : id11, extended,
  fd: false, brs: false, esi: false, remote: true, error: false, dlc,
  data: new Uint8Array(0), channel,
}));

const error = fc.record({
  id: fc.integer({ min: 0, max: 0x1fffffff }),
  data: fc.uint8Array({ maxLength: 8 }),
  channel,
}).map(({ id, data, channel }): CanFrame => ({
  id, extended: false, fd: false, brs: false, esi: false, remote: false, error: true,
  dlc: data.length, data, channel,
}));

const frame = fc.oneof(classic, fd, remote, error);
// Up to year 2286 in epoch nanoseconds.
const time = fc.bigInt({ min: 0n, max: 9_999_999_999_999_999_999n });

describe("candump line round trip", () => {
  it("parses what it formats, with 9 decimals exactly", () => {
    fc.assert(
      fc.property(frame, time, (f, t) => {
        const line = parseCandumpLine(formatCandumpLine(f, t, 9));
        expect(line.frame).toEqual({ ...f, data: Uint8Array.from(f.data) });
        expect(BigInt(line.sec) * 1_000_000_000n + BigInt(line.fracNs)).toBe(t);
        expect(line.decimals).toBe(9);
      }),
      { numRuns: 2000 },
    );
  });

  it("parses what it formats, with 6 decimals to the nearest microsecond", () => {
    fc.assert(
      fc.property(frame, time, (f, t) => {
        const line = parseCandumpLine(formatCandumpLine(f, t, 6));
        expect(line.frame).toEqual({ ...f, data: Uint8Array.from(f.data) });
        const back = BigInt(line.sec) * 1_000_000_000n + BigInt(line.fracNs);
        expect(back % 1000n).toBe(0n);
        expect(back - t >= -499n && back - t <= 500n).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
