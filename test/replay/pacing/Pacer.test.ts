import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../replay/pacing/FakeClock.js";
import { Pacer } from "../../../replay/pacing/Pacer.js";
import { MS, S } from "../arrayReader.js";

async function waitFor(pacer: Pacer, timeNs: number): Promise<number> {
  const r = pacer.wait(timeNs);
  return typeof r === "number" ? r : await r;
}

/** Send offsets (ns from the clock's start) for frames at `times`. */
async function sendOffsets(pacer: Pacer, clock: FakeClock, times: number[]): Promise<number[]> {
  const start = clock.now();
  const out: number[] = [];
  for (const t of times) {
    await waitFor(pacer, t);
    out.push(Number(clock.now() - start));
  }
  return out;
}

describe("Pacer", () => {
  it("sends each frame at anchor + its distance from the first frame", async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ clock });
    expect(await sendOffsets(pacer, clock, [2 * S, 2 * S + 100 * MS, 3 * S])).toEqual([
      0, 100 * MS, 1 * S,
    ]);
  });

  it("does not accumulate wake-up lag: every deadline is computed from the anchor", async () => {
    const clock = new FakeClock();
    clock.wakeLagNs = 30_000n;
    const pacer = new Pacer({ clock });
    const offsets = await sendOffsets(pacer, clock, [0, 1 * MS, 2 * MS, 3 * MS, 4 * MS]);
    // Summed sleeps would drift by 30 µs per frame; absolute deadlines stay 30 µs late.
    const lag = 30_000;
    expect(offsets).toEqual([0, 1 * MS + lag, 2 * MS + lag, 3 * MS + lag, 4 * MS + lag]);
    const stats = pacer.stats();
    expect(stats.lateness.max).toBe(30_000);
    expect(stats.late).toBe(0);
  });

  it("scales waits by the rate", async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ clock, rate: 4 });
    expect(await sendOffsets(pacer, clock, [0, 1 * S, 2 * S])).toEqual([0, 250 * MS, 500 * MS]);
  });

  it("never waits at rate 0", async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ clock, rate: 0 });
    expect(await sendOffsets(pacer, clock, [0, 10 * S, 100 * S])).toEqual([0, 0, 0]);
    expect(clock.waits).toBe(0);
    expect(pacer.stats().frames).toBe(3);
    expect(pacer.stats().lateness.count).toBe(0);
  });

  it("shortens gaps longer than maxGap to exactly maxGap", async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ clock, maxGapNs: 1 * S });
    const offsets = await sendOffsets(pacer, clock, [0, 100 * MS, 5_100 * MS, 5_150 * MS]);
    expect(offsets).toEqual([0, 100 * MS, 1_100 * MS, 1_150 * MS]);
  });

  it("sends a late frame at once and counts it", async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ clock, lateThresholdNs: 1 * MS });
    await waitFor(pacer, 0);
    clock.advance(50 * MS); // the process was stalled
    const lateness = await waitFor(pacer, 10 * MS);
    expect(lateness).toBe(40 * MS);
    await waitFor(pacer, 60 * MS);
    const stats = pacer.stats();
    expect(stats.late).toBe(1);
    expect(stats.frames).toBe(3);
    expect(stats.lateness.max).toBe(40 * MS);
  });

  it("holds frames while paused and cuts the pause out of the schedule", async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ clock });
    const start = clock.now();
    await waitFor(pacer, 0);
    clock.advance(20 * MS);
    pacer.pause();
    const pending = waitFor(pacer, 100 * MS);
    let done = false;
    void pending.then(() => (done = true));
    await Promise.resolve();
    clock.advance(5 * S);
    await Promise.resolve();
    expect(done).toBe(false);
    pacer.resume();
    await pending;
    // 20 ms before the pause + 5 s paused + the remaining 80 ms.
    expect(Number(clock.now() - start)).toBe(20 * MS + 5 * S + 80 * MS);
  });

  it("re-anchors on a rate change so that frames already played keep their times", async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ clock });
    const start = clock.now();
    await waitFor(pacer, 0);
    await waitFor(pacer, 1 * S);
    pacer.setRate(2);
    await waitFor(pacer, 3 * S);
    expect(Number(clock.now() - start)).toBe(1 * S + 1 * S);
    pacer.setRate(0);
    await waitFor(pacer, 100 * S);
    expect(Number(clock.now() - start)).toBe(2 * S);
  });

  it("takes a rate change made during a long wait into account within one slice", async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ clock });
    const start = clock.now();
    await waitFor(pacer, 0);
    const pending = waitFor(pacer, 10 * S);
    // The fake clock jumps a whole slice per wait; speed up after the first slice.
    await Promise.resolve();
    pacer.setRate(10);
    await pending;
    const elapsed = Number(clock.now() - start);
    expect(elapsed).toBeLessThan(2 * S);
    expect(elapsed).toBeGreaterThanOrEqual(100 * MS);
  });

  it("re-anchors on demand: the next frame goes at once, later ones keep their spacing", async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ clock });
    const start = clock.now();
    await waitFor(pacer, 0);
    pacer.reanchor();
    await waitFor(pacer, 50 * S);
    await waitFor(pacer, 50 * S + 10 * MS);
    expect(Number(clock.now() - start)).toBe(10 * MS);
  });

  it("anchors at a start time: the first frame waits its distance from it", async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ clock });
    const start = clock.now();
    pacer.startAt(2 * S);
    await waitFor(pacer, 2_500 * MS);
    expect(Number(clock.now() - start)).toBe(500 * MS);
  });

  it("refuses a negative or non-finite rate", () => {
    expect(() => new Pacer({ rate: -1 })).toThrow(RangeError);
    expect(() => new Pacer({ rate: Number.NaN })).toThrow(/speed factor/);
  });
});
