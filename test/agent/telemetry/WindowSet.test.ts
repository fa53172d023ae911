import { describe, expect, it } from "vitest";
import type { WindowRecord } from "../../../agent/telemetry/TelemetryRecord.js";
import { WindowSet } from "../../../agent/telemetry/WindowSet.js";

function flushed(w: WindowSet, now: number): WindowRecord[] {
  const out: WindowRecord[] = [];
  w.flush(now, (r) => out.push(r));
  return out;
}

describe("WindowSet", () => {
  it("closes each fixed window with min, max, mean, last and count when the next begins", () => {
    const w = new WindowSet("can0", "M", [{ signal: "S", ms: 1000 }]);
    expect(w.add(0, 10_100, 4, false)).toBeUndefined();
    expect(w.add(0, 10_500, 2, false)).toBeUndefined();
    expect(w.add(0, 10_999, 6, true)).toBeUndefined();
    const closed = w.add(0, 11_000, 100, false);
    expect(closed).toEqual({
      type: "window", t: 10_000, ms: 1000, bus: "can0", message: "M", signal: "S",
      count: 3, min: 2, max: 6, mean: 4, last: 6, outOfRange: true,
    });
    expect(flushed(w, 11_999)).toEqual([]);
    expect(flushed(w, 12_000)).toEqual([
      expect.objectContaining({ t: 11_000, count: 1, min: 100, last: 100 }),
    ]);
    expect(flushed(w, 20_000)).toEqual([]);
  });

  it("skips windows without samples", () => {
    const w = new WindowSet("can0", "M", [{ signal: "S", ms: 100 }]);
    w.add(0, 50, 1, false);
    expect(w.add(0, 750, 2, false)).toMatchObject({ t: 0, count: 1 });
    expect(flushed(w, 800)).toEqual([expect.objectContaining({ t: 700, count: 1, mean: 2 })]);
  });

  it("keeps the windows of a message's signals apart, each with its own length", () => {
    const w = new WindowSet("can1", "M", [{ signal: "A", ms: 100 }, { signal: "B", ms: 1000 }]);
    for (let t = 0; t < 300; t += 10) {
      w.add(0, t, t, false);
      w.add(1, t, 100 - t, t === 20);
    }
    const out = flushed(w, 1000);
    expect(out.map((r) => [r.signal, r.t, r.count, r.outOfRange ?? false])).toEqual([
      ["A", 200, 10, false],
      ["B", 0, 30, true],
    ]);
    expect(out[1]).toMatchObject({ min: -190, max: 100, last: -190, bus: "can1" });
  });

  it("adds a late sample after a flush to a second window of the same start", () => {
    const w = new WindowSet("can0", "M", [{ signal: "S", ms: 100 }]);
    w.add(0, 10, 1, false);
    expect(flushed(w, 100)).toHaveLength(1);
    w.add(0, 90, 3, false);
    expect(flushed(w, 100)).toEqual([expect.objectContaining({ t: 0, count: 1, last: 3 })]);
  });
});
