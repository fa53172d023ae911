import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatBandwidth, formatDuration, formatSize, parseBandwidth, parseDuration, parseSize,
} from "../../../cli/cache/units.js";

describe("units", () => {
  it.each([
    ["123", 123], ["500GB", 500e9], ["1.5 TB", 1.5e12], ["2TiB", 2 * 2 ** 40], ["64Mi", 2 ** 26],
  ])("reads size %s", (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each([
    ["8h", 28_800], ["1d12h", 129_600], ["90min", 5400], ["45s", 45], ["1.5h", 5400], ["30", 30],
  ])("reads duration %s", (text, s) => expect(parseDuration(text)).toBe(s));

  it.each([
    ["10Gbit/s", 10e9], ["10 Gbps", 10e9], ["100Mb/s", 100e6], ["500MB/s", 4e9], ["1GiB/s", 8 * 2 ** 30],
  ])("reads bandwidth %s", (text, bps) => expect(parseBandwidth(text)).toBe(bps));

  it.each(["", "12XB", "-5GB", "GB"])("refuses size %j", (text) => {
    expect(() => parseSize(text)).toThrow("expected a size");
  });

  it.each(["", "8 hours later", "0s", "h"])("refuses duration %j", (text) => {
    expect(() => parseDuration(text)).toThrow("expected a duration");
  });

  it("refuses a bandwidth without a per-second unit", () => {
    expect(() => parseBandwidth("10G")).toThrow("expected a bandwidth");
  });

  it("prints sizes and rates with decimal prefixes", () => {
    expect(formatSize(4e12)).toBe("4.00 TB");
    expect(formatSize(999)).toBe("999 B");
    expect(formatBandwidth(11_111_111_111)).toBe("11.1 Gbit/s");
    expect(formatDuration(93_784)).toBe("1d 2h 3min 4s");
  });

  it("reads back what it prints, to three significant digits", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e15 }), (bytes) => {
      const back = parseSize(formatSize(bytes).replace(" ", ""));
      expect(Math.abs(back - bytes) / bytes).toBeLessThan(0.01);
    }));
  });
});
