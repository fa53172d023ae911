import { describe, expect, it } from "vitest";
import { SignalWindow } from "../../../agent/telemetry/SignalWindow.js";

describe("SignalWindow", () => {
  it("closes each fixed window with min, max, mean, last and count when the next begins", () => {
    const w = new SignalWindow(1000, "can0", "M", "S");
    expect(w.add(10_100, 4, false)).toBeUndefined();
    expect(w.add(10_500, 2, false)).toBeUndefined();
    expect(w.add(10_999, 6, true)).toBeUndefined();
    const closed = w.add(11_000, 100, false);
    expect(closed).toEqual({
      type: "window", t: 10_000, ms: 1000, bus: "can0", message: "M", signal: "S",
      count: 3, min: 2, max: 6, mean: 4, last: 6, outOfRange: true,
    });
    expect(w.flush(11_999)).toBeUndefined();
    expect(w.flush(12_000)).toMatchObject({ t: 11_000, count: 1, min: 100, last: 100 });
    expect(w.flush(20_000)).toBeUndefined();
  });

  it("skips windows without samples", () => {
    const w = new SignalWindow(100, "can0", "M", "S");
    w.add(50, 1, false);
    expect(w.add(750, 2, false)).toMatchObject({ t: 0, count: 1 });
    expect(w.flush(800)).toMatchObject({ t: 700, count: 1, mean: 2 });
  });
});
