import { describe, expect, it } from "vitest";
import { WindowBank } from "../../../agent/telemetry/WindowBank.js";

describe("WindowBank", () => {
  it("keeps each signal's windows apart, at each signal's own length", () => {
    const bank = new WindowBank("can0", "M", ["A", "B", "C"], [1000, 100, 0]);
    expect(bank.has(0)).toBe(true);
    expect(bank.has(2)).toBe(false);
    bank.add(0, 10_010, 1, false);
    bank.add(1, 10_010, 50, true);
    bank.add(0, 10_090, 3, false);
    expect(bank.add(1, 10_120, 70, false)).toEqual({
      type: "window", t: 10_000, ms: 100, bus: "can0", message: "M", signal: "B",
      count: 1, min: 50, max: 50, mean: 50, last: 50, outOfRange: true,
    });
    const closed: unknown[] = [];
    bank.flush(10_999, (r) => closed.push(r));
    expect(closed).toEqual([expect.objectContaining({ signal: "B", t: 10_100, last: 70 })]);
    bank.flush(11_000, (r) => closed.push(r));
    expect(closed[1]).toEqual({
      type: "window", t: 10_000, ms: 1000, bus: "can0", message: "M", signal: "A",
      count: 2, min: 1, max: 3, mean: 2, last: 3,
    });
    bank.flush(50_000, (r) => closed.push(r));
    expect(closed).toHaveLength(2);
  });

  it("clears the out-of-range flag when a window closes", () => {
    const bank = new WindowBank("can0", "M", ["A"], [100]);
    bank.add(0, 0, 1, true);
    expect(bank.add(0, 100, 2, false)).toMatchObject({ outOfRange: true });
    expect(bank.flushOne(0, 200)).not.toHaveProperty("outOfRange");
  });

  it("closes a window that a late sample reopened after a flush", () => {
    const bank = new WindowBank("can0", "M", ["A"], [100]);
    bank.add(0, 10, 1, false);
    const closed: unknown[] = [];
    bank.flush(100, (r) => closed.push(r));
    bank.add(0, 99, 2, false);
    bank.flush(150, (r) => closed.push(r));
    expect(closed).toEqual([
      expect.objectContaining({ t: 0, count: 1, last: 1 }),
      expect.objectContaining({ t: 0, count: 1, last: 2 }),
    ]);
  });

  it("flushes each signal's window when its own end passes, not the earliest end only", () => {
    const bank = new WindowBank("can0", "M", ["A", "B"], [100, 1000]);
    const closed: { signal: string }[] = [];
    const out = (r: { signal: string }) => closed.push(r);
    bank.add(0, 10, 1, false);
    bank.add(1, 10, 1, false);
    bank.flush(50, out);
    bank.flush(100, out);
    bank.flush(500, out);
    expect(closed.map((r) => r.signal)).toEqual(["A"]);
    bank.flush(1000, out);
    expect(closed.map((r) => r.signal)).toEqual(["A", "B"]);
  });
});
