import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelayMs, isRetryable } from "../../../replay/sources/RetryPolicy.js";

const status = (httpStatusCode: number) => ({ name: "X", $metadata: { httpStatusCode } });

describe("RetryPolicy", () => {
  it("keeps the jittered delay below the doubled, capped ceiling", () => {
    const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 3000 };
    const unit = fc.double({ min: 0, max: 0.999999, noNaN: true });
    fc.assert(fc.property(fc.nat(30), unit, (retry, r) => {
      const d = backoffDelayMs(policy, retry, () => r);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(3000, 100 * 2 ** retry));
    }));
  });

  it("retries throttling, 5xx and dropped connections", () => {
    for (const s of [429, 500, 502, 503, 504]) expect(isRetryable(status(s))).toBe(true);
    expect(isRetryable(Object.assign(new Error("aborted"), { code: "ECONNRESET" }))).toBe(true);
    expect(isRetryable(Object.assign(new Error("x"), { name: "ShortBody" }))).toBe(true);
  });

  it("does not retry client errors", () => {
    for (const s of [400, 403, 404, 412, 416]) expect(isRetryable(status(s))).toBe(false);
    expect(isRetryable(new Error("boom"))).toBe(false);
  });
});
