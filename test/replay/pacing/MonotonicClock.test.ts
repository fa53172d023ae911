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

describe("MonotonicClock with frames closer together than a turn of the event loop", () => {
  it("still lets timers run while it plays them (signals and worker messages need the loop)", async () => {
    // 100 µs apart for 100 ms: every deadline is nearer than the 200 µs a turn was kept for.
    const clock = new MonotonicClock();
    let firedNs: bigint | undefined;
    setTimeout(() => (firedNs = clock.now()), 0);
    const start = clock.now();
    for (let i = 1n; i <= 1000n; i++) await clock.waitUntil(start + i * 100_000n);
    expect(firedNs).toBeDefined();
    // Within four busy stretches (4 × 5 ms) of the start, not at the end.
    expect(Number((firedNs as bigint) - start) / 1e6).toBeLessThan(40);
  });
});
