import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DbcError, parseDbc, type Dbc } from "../../../drivers/dbc/index.js";
import { casePath, hasShared } from "../../support/sharedData.js";

function loadCase(...parts: string[]): Dbc {
  return parseDbc(readFileSync(casePath(...parts)), { file: parts.join("/") });
}

function frame(id: number, hex: string): { id: number; extended: boolean; data: Uint8Array } {
  return { id, extended: false, data: Uint8Array.from(Buffer.from(hex.replace(/ /g, ""), "hex")) };
}

function signal(dbc: Dbc, id: number, hex: string, name: string) {
  const found = dbc.decode(frame(id, hex))?.signals.find((s) => s.name === name);
  if (found === undefined) throw new Error(`${name} not decoded`);
  return found;
}

describe.skipIf(!hasShared)("case cantools-32: Motorola start bit is the MSB", () => {
  const dbc = hasShared ? loadCase("cantools-32", "drive_status.dbc") : undefined;
  const data = "00 00 73 D9 FF 1D 06 C3";
  const rows: [number, string, number, number][] = [
    [1433, "odometer_le32", 0xd9730000, 3648192512],
    [1433, "speed_le16", 0xc306, 499.26],
    [1434, "odometer", 0x73d9, 29657],
    [1433, "range", 0x1d, 29],
    [1434, "range", 0x1d, 29],
    [1434, "speed", 0x06c3, 17.31],
  ];
  it.each(rows)("message %i signal %s has raw %i and physical %d", (id, name, raw, phys) => {
    const decoded = signal(dbc as Dbc, id, data, name);
    expect(decoded.raw).toBe(raw);
    expect(decoded.value).toBeCloseTo(phys, 9);
  });

  it("gives the units of the signals", () => {
    expect(signal(dbc as Dbc, 1434, data, "speed").unit).toBe("km/h");
    expect(signal(dbc as Dbc, 1434, data, "odometer").unit).toBe("km");
  });

  it("rejects at load a Motorola signal whose 16 bits need a ninth byte", () => {
    const text = readFileSync(casePath("cantools-32", "drive_status.dbc"), "latin1").replace(
      " SG_ speed : 55|16@0+",
      " SG_ speed : 48|16@0+",
    );
    expect(() => parseDbc(text, { file: "past_end.dbc" })).toThrow(DbcError);
    expect(() => parseDbc(text, { file: "past_end.dbc" })).toThrow(
      /past_end\.dbc.*SG_ speed in BO_ DRIVE_STATUS_CORRECT.*needs 9 bytes.*has 8/,
    );
  });

  it("flags that signal when loading leniently and leaves it out of 8-byte frames", () => {
    const text = readFileSync(casePath("cantools-32", "drive_status.dbc"), "latin1").replace(
      " SG_ speed : 55|16@0+",
      " SG_ speed : 48|16@0+",
    );
    const lenient = parseDbc(text, { strict: false });
    const speed = lenient.signalsOf("DRIVE_STATUS_CORRECT").find((s) => s.name === "speed");
    expect(speed?.fitsMessage).toBe(false);
    expect(lenient.warnings.join("\n")).toMatch(/SG_ speed/);
    const names = lenient.decode(frame(1434, data))?.signals.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["odometer", "range"]));
    expect(names).not.toContain("speed");
  });
});

describe.skipIf(!hasShared)("case fleetwise-94: IEEE float and double signals", () => {
  const dbc = hasShared ? loadCase("fleetwise-94", "ieee_float.dbc") : undefined;

  it("decodes a little-endian float64 as 2.3, not as an int64", () => {
    const decoded = signal(dbc as Dbc, 1024, "66 66 66 66 66 66 02 40", "DoubleSig");
    expect(decoded.value).toBe(2.3);
    expect(decoded.raw).toBe(2.3);
  });

  it("decodes float32 signals in both byte orders", () => {
    const data = "00 00 C0 3F C1 44 00 00";
    expect(signal(dbc as Dbc, 1025, data, "FloatLE").value).toBe(1.5);
    expect(signal(dbc as Dbc, 1025, data, "FloatBE").value).toBe(-12.25);
  });

  it("marks the signals as floats", () => {
    const types = (dbc as Dbc).signalsOf("FloatMsg").map((s) => s.valueType);
    expect(types).toEqual(["float32", "float32"]);
    expect((dbc as Dbc).signalsOf("DoubleMsg")[0]?.valueType).toBe("float64");
  });

  it("encodes the floats back to the same bytes", () => {
    expect(Buffer.from((dbc as Dbc).encode("DoubleMsg", { DoubleSig: 2.3 })).toString("hex"))
      .toBe("6666666666660240");
    const bytes = (dbc as Dbc).encode("FloatMsg", { FloatLE: 1.5, FloatBE: -12.25 });
    expect(Buffer.from(bytes).toString("hex")).toBe("0000c03fc1440000");
  });
});

describe.skipIf(!hasShared)("case asammdf-1165: Intel signed signal over three bytes", () => {
  const dbc = hasShared ? loadCase("asammdf-1165", "signed_span3.dbc") : undefined;
  const rows: [string, number, number][] = [
    ["00 00 FC FF 01 00 00 00", -2, -0.2],
    ["00 00 00 00 01 00 00 00", -32768, -3276.8],
    ["00 00 FE FF 00 00 00 00", 32767, 3276.7],
    ["00 00 A4 09 00 00 00 00", 1234, 123.4],
  ];
  it.each(rows)("data %s gives raw %i, %d Nm", (hex, raw, phys) => {
    const torque = signal(dbc as Dbc, 512, hex, "Torque");
    expect(torque.raw).toBe(raw);
    expect(torque.value).toBeCloseTo(phys, 9);
    expect(torque.unit).toBe("Nm");
  });

  it.each(rows)("encoding %d Nm gives data %s", (hex, _raw, phys) => {
    const bytes = (dbc as Dbc).encode("SPAN3", { Torque: phys });
    expect(Buffer.from(bytes).toString("hex")).toBe(hex.replace(/ /g, "").toLowerCase());
  });
});

describe.skipIf(!hasShared)("case model3dbc-8: multiplexer value with no signals", () => {
  const dbc = hasShared ? loadCase("model3dbc-8", "mux_undefined_value.dbc") : undefined;
  const rows: [string, Record<string, number>][] = [
    ["00 E8 03 00 00 00 00 11", { DataSelect: 0, SensorA: 100.0, Counter: 17 }],
    ["01 FE FF 00 00 00 00 22", { DataSelect: 1, SensorB: -2, Counter: 34 }],
    ["0C 7F 00 00 00 00 00 33", { DataSelect: 12, SensorC: 127, Counter: 51 }],
    ["0D FF FF FF FF 00 00 44", { DataSelect: 13, Counter: 68 }],
  ];
  it.each(rows)("data %s decodes to exactly %o", (hex, expected) => {
    const values = (dbc as Dbc).decodeValues(frame(1885, hex));
    expect(Object.keys(values ?? {}).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, value] of Object.entries(expected)) {
      expect(values?.[name]).toBeCloseTo(value, 9);
    }
  });

  it("writes NaN for the unselected signals in the allocation-free path", () => {
    const out = new Float64Array((dbc as Dbc).maxSignals);
    const message = (dbc as Dbc).decodeInto(frame(1885, "0D FF FF FF FF 00 00 44"), out);
    const slot = (name: string) => message?.signals.find((s) => s.name === name)?.index ?? -1;
    expect(out[slot("DataSelect")]).toBe(13);
    expect(out[slot("Counter")]).toBe(68);
    expect(out[slot("SensorA")]).toBeNaN();
    expect(out[slot("SensorB")]).toBeNaN();
    expect(out[slot("SensorC")]).toBeNaN();
  });
});
