import { describe, expect, it } from "vitest";
import { MonotonicClock } from "../../../replay/pacing/MonotonicClock.js";

describe("MonotonicClock", () => {
  it("never returns before the deadline, whether it sleeps first or only spins", async () => {
    const clock = new MonotonicClock();
    for (const aheadNs of [0n, 300_000n, 3_000_000n]) {
      const deadline = clock.now() + aheadNs;
      await clock.waitUntil(deadline);
      expect(clock.now() >= deadline).toBe(true);
    }
  });

  it("lets the event loop turn after a long stretch of spinning", async () => {
    // A spin window wider than the wait: without the turn, nothing else could run.
    const clock = new MonotonicClock({ maxBusyNs: 0, spinNs: 100_000_000 });
    let turned = false;
    setImmediate(() => (turned = true));
    await clock.waitUntil(clock.now() + 20_000_000n);
    expect(turned).toBe(true);
  });
});
