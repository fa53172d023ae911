import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../agent/mqtt/backoffDelay.js";

describe("backoffDelay", () => {
  it("stays between the minimum and a ceiling that doubles up to the maximum", () => {
    fc.assert(fc.property(fc.nat(60), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (attempt, r) => {
        const delay = backoffDelay(attempt, 100, 30_000, () => r);
        expect(delay).toBeGreaterThanOrEqual(100);
        expect(delay).toBeLessThanOrEqual(Math.min(30_000, 100 * 2 ** attempt));
      }));
  });

  it("spreads the delays of one attempt over its whole range (full jitter)", () => {
    expect([0, 0.5, 0.999].map((r) => backoffDelay(6, 100, 30_000, () => r)))
      .toEqual([100, 3200, 6394]);
  });
});
