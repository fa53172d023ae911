import { describe, expect, it } from "vitest";
import { convert, type Conversion } from "../../../../replay/formats/mdf4/Conversion.js";

describe("convert", () => {
  it("applies linear and rational conversions", () => {
    expect(convert({ type: "linear", factor: 0.5, offset: -1 }, 10)).toBe(4);
    expect(convert({ type: "rational", p: [0, 2, 1, 0, 0, 4] }, 3)).toBe(7 / 4);
  });

  const table = (interpolate: boolean): Conversion =>
    ({ type: "table", interpolate, keys: [0, 10, 20], values: [0, 100, 400] });

  it("interpolates a value-to-value table between keys, clamped at both ends", () => {
    expect(convert(table(true), 15)).toBe(250);
    expect(convert(table(true), -5)).toBe(0);
    expect(convert(table(true), 99)).toBe(400);
  });

  it("takes the nearest key of a table without interpolation", () => {
    expect(convert(table(false), 14)).toBe(100);
    expect(convert(table(false), 16)).toBe(400);
    expect(convert(table(false), 10)).toBe(100);
  });

  it("maps ranges to values, else the default", () => {
    const c: Conversion = { type: "range", mins: [0, 10], maxs: [9, 19], values: [1, 2], fallback: -1 };
    expect([convert(c, 9), convert(c, 10), convert(c, 25)]).toEqual([1, 2, -1]);
  });

  it("maps values to texts, nested scales and the default", () => {
    const c: Conversion = {
      type: "valueText", keys: [0, 1, 2],
      refs: ["off", { type: "linear", factor: 10, offset: 0 }, null],
      fallback: "unknown",
    };
    expect([0, 1, 2, 3].map((v) => convert(c, v))).toEqual(["off", 10, "", "unknown"]);
  });
});
