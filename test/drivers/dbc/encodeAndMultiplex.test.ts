import { describe, expect, it } from "vitest";
import { DbcError, parseDbc } from "../../../drivers/dbc/index.js";

const HEADER = 'VERSION ""\nNS_ :\nBS_:\nBU_: ECU\n';
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const frameOf = (id: number, extended: boolean, h: string) => ({
  id, extended, data: Uint8Array.from(Buffer.from(h, "hex")),
});

const MUX = `${HEADER}BO_ 2348875518 Extended: 8 ECU
 SG_ S0 M : 0|4@1+ (1,0) [0|0] "" ECU
 SG_ S1 m0M : 4|4@1+ (1,0) [0|0] "" ECU
 SG_ S2 m0 : 8|8@1+ (1,0) [0|0] "" ECU
 SG_ S3 m2 : 8|8@1- (1,0) [0|0] "" ECU
 SG_ S4 m1 : 16|8@1+ (1,0) [0|0] "" ECU
 SG_ Mode : 24|3@1+ (1,0) [0|7] "" ECU
 SG_ Range m2 : 32|8@1+ (1,0) [0|0] "" ECU
 SG_ Top M : 63|4@0+ (1,0) [0|0] "" ECU
SG_MUL_VAL_ 2348875518 S1 S0 0-0;
SG_MUL_VAL_ 2348875518 S2 S1 0-0;
SG_MUL_VAL_ 2348875518 S3 S1 2-2;
SG_MUL_VAL_ 2348875518 S4 S0 1-1;
SG_MUL_VAL_ 2348875518 Range Mode 2-5, 7-7;
CM_ SG_ 2348875518 Top "a second, independent multiplexer";
`;

describe("extended multiplexing", () => {
  const dbc = parseDbc(MUX, { file: "mux.dbc" });
  const decode = (h: string) => dbc.decodeValues(frameOf(0x0c00fefe, true, h));

  it("selects signals through a multiplexer that is itself multiplexed", () => {
    expect(decode("2005000000000000")).toEqual({ S0: 0, S1: 2, S3: 5, Mode: 0, Top: 0 });
    expect(decode("0005000000000000")).toEqual({ S0: 0, S1: 0, S2: 5, Mode: 0, Top: 0 });
  });

  it("lists decoded signals in file order, though multiplexers are decoded first", () => {
    const decoded = dbc.decode(frameOf(0x0c00fefe, true, "2005000000000000"));
    expect(decoded?.signals.map((s) => s.name)).toEqual(["S0", "S1", "S3", "Mode", "Top"]);
  });

  it("drops a nested branch when the outer multiplexer selects another", () => {
    expect(decode("2105070000000000")).toEqual({ S0: 1, S4: 7, Mode: 0, Top: 0 });
  });

  it("selects by SG_MUL_VAL_ ranges, boundaries included", () => {
    const withMode = (mode: number) => decode(`0F0000${mode.toString(16).padStart(2, "0")}09000000`);
    expect(withMode(2)).toHaveProperty("Range", 9);
    expect(withMode(5)).toHaveProperty("Range", 9);
    expect(withMode(7)).toHaveProperty("Range", 9);
    expect(withMode(1)).not.toHaveProperty("Range");
    expect(withMode(6)).not.toHaveProperty("Range");
  });

  it("exposes the conditions on the signals", () => {
    const range = dbc.signalsOf("Extended").find((s) => s.name === "Range");
    expect(range?.multiplexedBy).toEqual({ multiplexer: "Mode", ranges: [[2, 5], [7, 7]] });
    expect(dbc.signalsOf("Extended").filter((s) => s.isMultiplexer).map((s) => s.name))
      .toEqual(["S0", "S1", "Top"]);
  });

  it("encodes the selected branch and refuses signals of other branches", () => {
    const bytes = dbc.encode("Extended", { S0: 0, S1: 2, S3: -1, Mode: 3, Range: 200, Top: 9 });
    expect(hex(bytes)).toBe("20ff0003c8000090");
    expect(decode(hex(bytes))).toEqual({ S0: 0, S1: 2, S3: -1, Mode: 3, Range: 200, Top: 9 });
    expect(() => dbc.encode("Extended", { S0: 1, S4: 1, S2: 1, Mode: 0, Top: 0 })).toThrow(
      /expected no value for S2 \(not selected\)/,
    );
  });
});

const CODEC = `${HEADER}BO_ 100 Status: 8 ECU
 SG_ Gear : 0|3@1+ (1,0) [0|5] "" ECU
 SG_ Temp : 8|8@1- (0.5,-10) [-50|50] "degC" ECU
 SG_ Counter : 16|4@1+ (1,0) [0|0] "" ECU
VAL_ 100 Gear 0 "P" 1 "R" 2 "N" 3 "D" ;
BO_ 2147483905 Big: 8 ECU
 SG_ Odo : 0|64@1+ (1,0) [0|0] "" ECU
BO_ 2147483906 BigScaled: 8 ECU
 SG_ Scaled : 0|64@1- (0.5,0) [0|0] "" ECU
`;

describe("encode", () => {
  const dbc = parseDbc(CODEC, { file: "codec.dbc" });

  it("scales, rounds and packs physical values", () => {
    expect(hex(dbc.encode("Status", { Gear: 3, Temp: 21.4, Counter: 15 }))).toBe(
      "033f0f0000000000",
    );
  });

  it("accepts value labels", () => {
    expect(hex(dbc.encode("Status", { Gear: "R", Temp: 0, Counter: 0 }))).toBe(
      "0114000000000000",
    );
  });

  it("refuses an unknown signal, naming it", () => {
    expect(() => dbc.encode("Status", { Gear: 1, Temp: 0, Counter: 0, Gera: 1 })).toThrow(
      "codec.dbc: BO_ Status: expected signals of Status, found Gera",
    );
  });

  it("refuses an unknown message", () => {
    expect(() => dbc.encode("Nope", {})).toThrow(DbcError);
  });

  it("refuses a missing signal", () => {
    expect(() => dbc.encode("Status", { Gear: 1 })).toThrow(/expected values for Temp, Counter/);
  });

  it("refuses values outside the physical range", () => {
    expect(() => dbc.encode("Status", { Gear: 6, Temp: 0, Counter: 0 })).toThrow(
      "expected Gear in [0, 5], found 6",
    );
    expect(() => dbc.encode("Status", { Gear: 0, Temp: -50.5, Counter: 0 })).toThrow(/Temp/);
  });

  it("refuses raw values wider than the signal where no range is given", () => {
    expect(() => dbc.encode("Status", { Gear: 0, Temp: 0, Counter: 16 })).toThrow(
      /expected raw Counter in \[0, 15\] \(4 bits\), found 16/,
    );
  });

  it("refuses an unknown label", () => {
    expect(() => dbc.encode("Status", { Gear: "X", Temp: 0, Counter: 0 })).toThrow(/"X"/);
  });
});

describe("raw values beyond 2^53", () => {
  const dbc = parseDbc(CODEC);
  const big = frameOf(0x101, true, "ffffffffffffff7f");

  it("keeps a 64-bit raw exact as a bigint, and the physical value too at factor 1", () => {
    const odo = dbc.decode(big)?.signals.find((s) => s.name === "Odo");
    expect(odo?.raw).toBe(0x7fffffffffffffffn);
    expect(odo?.value).toBe(0x7fffffffffffffffn);
  });

  it("gives a number physical value when a factor applies", () => {
    const scaled = dbc.decode({ ...big, id: 0x102 })?.signals.find((s) => s.name === "Scaled");
    expect(scaled?.raw).toBe(0x7fffffffffffffffn);
    expect(scaled?.value).toBe(Number(0x7fffffffffffffffn) * 0.5);
  });

  it("returns a number when the raw value is exact as one", () => {
    const small = dbc.decode(frameOf(0x101, true, "0100000000000000"));
    expect(small?.signals.map((s) => s.raw)).toEqual([1]);
  });

  it("encodes a bigint raw exactly", () => {
    const payload = dbc.encode("Big", { Odo: 0xfedcba9876543210n });
    expect(hex(payload)).toBe("1032547698badcfe");
    expect(dbc.decodeValues(frameOf(0x101, true, hex(payload)))?.Odo).toBe(0xfedcba9876543210n);
  });
});
