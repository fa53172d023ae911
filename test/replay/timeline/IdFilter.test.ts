import { describe, expect, it } from "vitest";
import { ReplayOptionError } from "../../../replay/ReplayOptionError.js";
import { IdFilter } from "../../../replay/timeline/IdFilter.js";

describe("IdFilter", () => {
  it("accepts every ID when empty", () => {
    const filter = IdFilter.parse([]);
    expect(filter.isEmpty).toBe(true);
    expect(filter.accepts(0x7ff)).toBe(true);
  });

  it("reads single IDs and inclusive ranges in hex", () => {
    const filter = IdFilter.parse(["0x123", "200-2FF"]);
    expect([0x123, 0x124, 0x200, 0x2ff, 0x300].map((id) => filter.accepts(id))).toEqual([
      true, false, true, true, false,
    ]);
  });

  it("reads candump's id:mask and id~mask", () => {
    const masked = IdFilter.parse(["100:700"]);
    expect([0x100, 0x1ff, 0x200].map((id) => masked.accepts(id))).toEqual([true, true, false]);
    const inverted = IdFilter.parse(["100~700"]);
    expect([0x100, 0x1ff, 0x200].map((id) => inverted.accepts(id))).toEqual([false, false, true]);
  });

  it("excludes with a leading !, after the inclusions", () => {
    const filter = IdFilter.parse(["100-1FF,!150"]);
    expect([0x100, 0x150, 0x151].map((id) => filter.accepts(id))).toEqual([true, false, true]);
  });

  it("matches 29-bit IDs", () => {
    const filter = IdFilter.parse(["18DAF100:1FFFFF00"]);
    expect(filter.accepts(0x18daf1f1)).toBe(true);
    expect(filter.accepts(0x18db33f1)).toBe(false);
  });

  it("refuses malformed specs with what it expected", () => {
    expect(() => IdFilter.parse(["12g"])).toThrow(ReplayOptionError);
    expect(() => IdFilter.parse(["12g"])).toThrow(/expected hex IDs/);
    expect(() => IdFilter.parse(["200-100"])).toThrow(/backwards/);
    expect(() => IdFilter.parse(["3FFFFFFF"])).toThrow(/29 bits/);
  });
});
