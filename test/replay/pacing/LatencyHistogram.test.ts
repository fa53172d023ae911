import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LatencyHistogram } from "../../../replay/pacing/LatencyHistogram.js";

describe("LatencyHistogram", () => {
  it("is empty until a value is recorded", () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, p50: 0, p99: 0, p999: 0, max: 0 });
  });

  it("keeps small values exactly", () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 100; v++) h.record(v);
    expect(h.quantile(0.5)).toBe(50);
    expect(h.quantile(0.99)).toBe(99);
    expect(h.summary().max).toBe(100);
  });

  it("counts negative lateness (early) as zero", () => {
    const h = new LatencyHistogram();
    h.record(-500);
    expect(h.summary()).toMatchObject({ count: 1, max: 0, p50: 0 });
  });

  it("gives quantiles within 1.6% above the exact value (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 200 }),
        fc.constantFrom(0.5, 0.9, 0.99, 0.999),
        (values, q) => {
          const h = new LatencyHistogram();
          for (const v of values) h.record(v);
          const sorted = [...values].sort((a, b) => a - b);
          const exact = sorted[Math.max(0, Math.ceil(q * values.length) - 1)] as number;
          const got = h.quantile(q);
          expect(got).toBeGreaterThanOrEqual(exact);
          expect(got).toBeLessThanOrEqual(Math.max(exact * (1 + 1 / 64), exact + 1));
        },
      ),
    );
  });

  it("places values just below a power of two in range", () => {
    const h = new LatencyHistogram();
    h.record(2 ** 50 - 1);
    expect(h.quantile(1)).toBe(2 ** 50 - 1);
  });
});
