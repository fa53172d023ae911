import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeDelta } from "../../../../agent/shadow/service/computeDelta.js";
import { mergeState } from "../../../../agent/shadow/service/mergeState.js";
import { pickPaths } from "../../../../agent/shadow/service/pickPaths.js";
import { patchArbitrary } from "./support/jsonArbitraries.js";

describe("computeDelta", () => {
  it("holds desired keys that reported lacks or holds with another value", () => {
    expect(computeDelta({ color: "RED", mode: "ECO", fan: 2 }, { color: "GREEN", mode: "ECO" }))
      .toEqual({ color: "RED", fan: 2 });
  });

  it("leaves out keys that are only in reported", () => {
    expect(computeDelta({ a: 1 }, { a: 1, speed: 30 })).toBeUndefined();
  });

  it("descends into nested objects and keeps only their differing keys", () => {
    expect(computeDelta(
      { window: { front: 50, rear: 0, trim: { l: 1, r: 2 } } },
      { window: { front: 0, rear: 0, trim: { l: 1, r: 3 } } },
    )).toEqual({ window: { front: 50, trim: { r: 2 } } });
  });

  it("compares arrays whole and puts the whole desired array in the delta", () => {
    expect(computeDelta({ seats: [1, 2, 3] }, { seats: [1, 2, 4] })).toEqual({ seats: [1, 2, 3] });
    expect(computeDelta({ seats: [{ a: 1 }] }, { seats: [{ a: 1 }] })).toBeUndefined();
  });

  it("puts the whole desired object in the delta when reported holds a scalar there", () => {
    expect(computeDelta({ mode: { eco: true } }, { mode: "eco" })).toEqual({ mode: { eco: true } });
  });

  it("is undefined without desired, and compares objects regardless of key order", () => {
    expect(computeDelta(undefined, { a: 1 })).toBeUndefined();
    expect(computeDelta({ o: { x: 1, y: 2 } }, { o: { y: 2, x: 1 } })).toBeUndefined();
  });

  it("property: merging the delta into reported leaves no delta", () => {
    fc.assert(fc.property(patchArbitrary, patchArbitrary, (d, r) => {
      const desired = mergeState(undefined, d);
      const reported = mergeState(undefined, r);
      const delta = computeDelta(desired, reported);
      const synced = mergeState(reported, delta ?? {});
      expect(computeDelta(desired, synced)).toBeUndefined();
    }));
  });

  it("property: the delta is desired at its own key paths", () => {
    fc.assert(fc.property(patchArbitrary, patchArbitrary, (d, r) => {
      const desired = mergeState(undefined, d);
      const delta = computeDelta(desired, mergeState(undefined, r));
      if (delta !== undefined) expect(pickPaths(desired, delta)).toEqual(delta);
    }));
  });

  it("property: a reported state that includes desired has no delta", () => {
    fc.assert(fc.property(patchArbitrary, patchArbitrary, (d, extra) => {
      const desired = mergeState(undefined, d);
      const reported = mergeState(mergeState(undefined, extra), desired);
      expect(computeDelta(desired, reported)).toBeUndefined();
    }));
  });
});
