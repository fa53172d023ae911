import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RangeSet } from "../../../replay/sources/RangeSet.js";

const span = 200;
const range = fc.tuple(fc.nat(span), fc.nat(40)).map(([s, l]) => [s, s + l] as const);

function bitmap(ranges: readonly (readonly [number, number])[]): boolean[] {
  const bits = new Array<boolean>(span + 41).fill(false);
  for (const [s, e] of ranges) for (let i = s; i < e; i++) bits[i] = true;
  return bits;
}

describe("RangeSet", () => {
  it("covers exactly the bytes added, kept sorted, disjoint and non-adjacent", () => {
    fc.assert(fc.property(fc.array(range, { maxLength: 30 }), (ranges) => {
      const set = new RangeSet(ranges);
      const bits = bitmap(ranges);
      expect(bitmap(set.list)).toEqual(bits);
      expect(set.bytes).toBe(bits.filter(Boolean).length);
      for (let i = 1; i < set.list.length; i++) {
        expect(set.list[i]?.[0]).toBeGreaterThan(set.list[i - 1]?.[1] ?? Infinity);
      }
    }));
  });

  it("lists as missing exactly the uncovered bytes of a query", () => {
    fc.assert(fc.property(fc.array(range, { maxLength: 20 }), range, (ranges, [qs, qe]) => {
      const set = new RangeSet(ranges);
      const bits = bitmap(ranges);
      const gaps = bitmap(set.missing(qs, qe));
      for (let i = 0; i < bits.length; i++) {
        expect(gaps[i]).toBe(i >= qs && i < qe && !bits[i]);
      }
      expect(set.covers(qs, qe)).toBe(set.missing(qs, qe).length === 0);
    }));
  });

  it("refuses a sidecar that is not a list of integer pairs", () => {
    expect(() => RangeSet.fromJSON([[0, 1.5]])).toThrow("[start, end] pair");
    expect(() => RangeSet.fromJSON({})).toThrow("list");
    expect(RangeSet.fromJSON([[0, 10], [5, 20]]).list).toEqual([[0, 20]]);
  });
});
