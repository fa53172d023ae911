import { describe, expect, it } from "vitest";
import { IdFilter } from "../../../agent/telemetry/IdFilter.js";

describe("IdFilter", () => {
  it("accepts everything without rules", () => {
    const f = new IdFilter();
    expect(f.accepts(0x123, false)).toBe(true);
    expect(f.accepts(0x18fef100, true)).toBe(true);
  });

  it("lets the first matching rule win", () => {
    const f = new IdFilter([
      { action: "reject", from: 0x100, to: 0x10f },
      { action: "accept", from: 0x000, to: 0x1ff },
    ]);
    expect(f.accepts(0x105, false)).toBe(false);
    expect(f.accepts(0x110, false)).toBe(true);
    expect(f.accepts(0x0ff, false)).toBe(true);
    // An accept list rejects what it does not name.
    expect(f.accepts(0x200, false)).toBe(false);
  });

  it("treats a list of rejections as everything but them", () => {
    const f = new IdFilter([{ action: "reject", id: 0x700, mask: 0x700 }]);
    expect(f.accepts(0x7e8, false)).toBe(false);
    expect(f.accepts(0x3e8, false)).toBe(true);
  });

  it("matches by mask, and restricts rules to 11- or 29-bit IDs when told", () => {
    // J1939 PGN 0xFEF1 from any source address.
    const f = new IdFilter([{ action: "accept", id: 0x00fef100, mask: 0x00ffff00, extended: true }]);
    expect(f.accepts(0x18fef100, true)).toBe(true);
    expect(f.accepts(0x18fef1fe, true)).toBe(true);
    expect(f.accepts(0x18fef200, true)).toBe(false);
    expect(f.accepts(0x100, false)).toBe(false);
  });

  it("gives the same answer from its cache as from the rules", () => {
    const f = new IdFilter([{ action: "accept", from: 0x10, to: 0x20 }]);
    const first = [0x0f, 0x10, 0x20, 0x21].map((id) => f.accepts(id, false));
    const again = [0x0f, 0x10, 0x20, 0x21].map((id) => f.accepts(id, false));
    expect(first).toEqual([false, true, true, false]);
    expect(again).toEqual(first);
  });

  it("refuses ranges that run backwards and IDs beyond 29 bits", () => {
    expect(() => new IdFilter([{ action: "accept", from: 5, to: 4 }])).toThrow(/ids\[0\]/);
    expect(() => new IdFilter([{ action: "accept", id: 2 ** 30, mask: 1 }])).toThrow(/ids\[0\]/);
  });
});
