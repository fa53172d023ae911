import { describe, expect, it } from "vitest";
import { FormatError } from "../../../../replay/formats/FormatError.js";
import { parseCandumpLine } from "../../../../replay/formats/candump/parseCandumpLine.js";

const T = "(1700000000.000001) can0";

function frameOf(text: string) {
  return parseCandumpLine(`${T} ${text}`).frame;
}

function errorOf(text: string): FormatError {
  try {
    parseCandumpLine(text, { file: "x.log", line: 7, offset: 123 });
  } catch (err) {
    if (err instanceof FormatError) return err;
    throw err;
  }
  throw new Error(`"${text}" was accepted`);
}

describe("parseCandumpLine", () => {
  it("reads 3 hex digits as an 11-bit ID and 8 as a 29-bit ID, whatever the value", () => {
    expect(frameOf("0C9#01")).toMatchObject({ id: 0xc9, extended: false, dlc: 1 });
    expect(frameOf("000000C9#01")).toMatchObject({ id: 0xc9, extended: true });
    expect(frameOf("1FFFFFFF#")).toMatchObject({ id: 0x1fffffff, extended: true, dlc: 0 });
  });

  it("splits the timestamp into seconds and nanoseconds for 6 and 9 decimals", () => {
    expect(parseCandumpLine("(12.345678) c 123#")).toMatchObject({
      sec: 12,
      fracNs: 345_678_000,
      decimals: 6,
    });
    expect(parseCandumpLine("(12.345678901) c 123#")).toMatchObject({
      fracNs: 345_678_901,
      decimals: 9,
    });
  });

  it("accepts lower-case hex and '.' between data bytes", () => {
    expect([...frameOf("7ff#de.ad.be.ef").data]).toEqual([0xde, 0xad, 0xbe, 0xef]);
  });

  it("reads FD flags BRS=1 and ESI=2, with FDF (4) implied or given", () => {
    expect(frameOf("123##1AA")).toMatchObject({ fd: true, brs: true, esi: false, dlc: 1 });
    expect(frameOf("123##6")).toMatchObject({ fd: true, brs: false, esi: true, dlc: 0 });
    const long = frameOf(`12345678##3${"00".repeat(64)}`);
    expect(long).toMatchObject({ extended: true, brs: true, esi: true, dlc: 15 });
    expect(long.data).toHaveLength(64);
  });

  it("reads remote frames with and without a length, and len8_dlc after R8", () => {
    expect(frameOf("321#R")).toMatchObject({ remote: true, dlc: 0, data: new Uint8Array(0) });
    expect(frameOf("321#r5")).toMatchObject({ remote: true, dlc: 5 });
    expect(frameOf("321#R8_F")).toMatchObject({ remote: true, dlc: 15 });
  });

  it("keeps a raw DLC 9-15 given as _X after 8 classic bytes", () => {
    expect(frameOf("789#1122334455667788_9")).toMatchObject({ dlc: 9 });
    expect(frameOf("789#1122334455667788_9").data).toHaveLength(8);
  });

  it("turns CAN_ERR_FLAG IDs into error frames with the class as ID and the data kept", () => {
    const frame = frameOf("20000004#0004000000000000");
    expect(frame).toMatchObject({ error: true, extended: false, id: 4, dlc: 8 });
    expect(frame.data[1]).toBe(4);
  });

  it("takes the direction from a trailing R or T, and tolerates CR and padded names", () => {
    expect(frameOf("123#00 T").dir).toBe("tx");
    expect(frameOf("123#00 R").dir).toBe("rx");
    expect(parseCandumpLine("(1.000000)    can0 123#00\r\n").frame.channel).toBe("can0");
  });

  const rejected: [string, string, RegExp][] = [
    ["5 decimals", "(1.00000) can0 123#", /6 or 9 decimals/],
    ["7 decimals", "(1.0000000) can0 123#", /6 or 9 decimals/],
    ["no parenthesis", "1.000000 can0 123#", /"\(" opening the timestamp/],
    ["no frame", "(1.000000) can0", /a space, then a frame|found end of line/],
    ["no '#'", "(1.000000) can0 123", /"#" after the CAN ID/],
    ["4-digit ID", "(1.000000) can0 1234#00", /3 or 8 hex digits/],
    ["11-bit ID above 7FF", "(1.000000) can0 800#00", /11-bit CAN ID/],
    ["RTR/EFF flag bits", "(1.000000) can0 80000001#00", /29-bit CAN ID/],
    ["odd hex digits", "(1.000000) can0 123#ABC", /two hex digits per data byte/],
    ["9 classic bytes", "(1.000000) can0 123#000000000000000000", /at most 8 data bytes/],
    ["raw DLC with 7 bytes", "(1.000000) can0 123#00000000000000_9", /only after 8 data bytes/],
    ["raw DLC below 9", "(1.000000) can0 123#0000000000000000_8", /raw DLC 9–F/],
    ["FD flag 8", "(1.000000) can0 123##800", /FD flags 0–7/],
    ["65 FD bytes", `(1.000000) can0 123##0${"00".repeat(65)}`, /end of the FD frame/],
    ["remote length 9", "(1.000000) can0 123#R9", /length 0–8/],
    ["trailing text", "(1.000000) can0 123#00 junk", /end of line after the frame/],
    ["error frame as FD", "(1.000000) can0 20000004##000", /error frame/],
  ];

  it.each(rejected)("rejects %s with file, line, byte offset and expected/found", (_, text, re) => {
    const err = errorOf(text);
    expect(err.file).toBe("x.log");
    expect(err.where).toBe("line 7");
    expect(err.offset).toBe(123);
    expect(err.message).toMatch(re);
    expect(err.message).toMatch(/expected .*, found /);
  });
});
