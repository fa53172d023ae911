import { describe, expect, it } from "vitest";
import { planCache } from "../../../cli/cache/planCache.js";

describe("planCache", () => {
  it("needs size × 8 / interval of link and caches what the link cannot carry", () => {
    // 40 TB in 8 h: 40e12 × 8 / 28 800 s ≈ 11.1 Gbit/s; a 10 Gbit/s link carries 36 TB of it.
    const plan = planCache(40e12, 8 * 3600, 10e9);
    expect(plan.linkBitsPerSecond).toBeCloseTo(40e12 * 8 / 28_800, 3);
    expect(plan.cacheBytes).toBe(4e12);
  });

  it("needs no cache when the link is fast enough", () => {
    expect(planCache(1e12, 3600, 10e9).cacheBytes).toBe(0);
  });

  it("caches everything when no link is given", () => {
    expect(planCache(5e12, 3600).cacheBytes).toBe(5e12);
  });
});
