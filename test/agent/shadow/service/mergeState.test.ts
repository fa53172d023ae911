import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeState } from "../../../../agent/shadow/service/mergeState.js";
import type { JsonObject, JsonValue } from "../../../../agent/shadow/JsonValue.js";
import { isJsonObject } from "../../../../agent/shadow/JsonValue.js";
import { patchArbitrary } from "./support/jsonArbitraries.js";

describe("mergeState", () => {
  it("merges nested objects key by key", () => {
    expect(mergeState({ window: { front: 0, rear: 0 }, door: "open" }, { window: { front: 40 } }))
      .toEqual({ window: { front: 40, rear: 0 }, door: "open" });
  });

  it("replaces arrays whole instead of merging them element by element", () => {
    expect(mergeState({ seats: [1, 2, 3] }, { seats: [9] })).toEqual({ seats: [9] });
  });

  it("deletes a key set to null and ignores null for a key that is absent", () => {
    expect(mergeState({ color: "RED", mode: "ECO" }, { color: null, ghost: null }))
      .toEqual({ mode: "ECO" });
  });

  it("treats a key named state inside a section as ordinary data (greengrass-shadow-199)", () => {
    expect(mergeState({ state: { key: "v", state: "abc" } }, { state: { state: null } }))
      .toEqual({ state: { key: "v" } });
  });

  it("replaces a scalar with an object and stores no nulls from the new subtree", () => {
    expect(mergeState({ a: 1 }, { a: { b: null, c: 2 } })).toEqual({ a: { c: 2 } });
  });

  it("stores a key named __proto__ as data, without touching any prototype", () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}') as JsonObject;
    const merged = mergeState({}, patch);
    expect(Object.keys(merged)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });

  it("does not modify its inputs", () => {
    const target = { a: { b: 1 } };
    const patch = { a: { b: null } };
    mergeState(target, patch);
    expect([target, patch]).toEqual([{ a: { b: 1 } }, { a: { b: null } }]);
  });

  it("property: the result holds no null member, and applying a patch twice equals once", () => {
    fc.assert(fc.property(patchArbitrary, patchArbitrary, (start, patch) => {
      const target = mergeState(undefined, start);
      const once = mergeState(target, patch);
      expect(hasNullMember(once)).toBe(false);
      expect(mergeState(once, patch)).toEqual(once);
    }));
  });

  it("property: keys the patch does not name keep their values", () => {
    fc.assert(fc.property(patchArbitrary, patchArbitrary, (start, patch) => {
      const target = mergeState(undefined, start);
      const merged = mergeState(target, patch);
      for (const key of Object.keys(target)) {
        if (!Object.hasOwn(patch, key)) expect(merged[key]).toEqual(target[key]);
      }
    }));
  });
});

function hasNullMember(value: JsonValue): boolean {
  if (Array.isArray(value)) return value.some((v) => isJsonObject(v) && hasNullMember(v));
  if (!isJsonObject(value)) return false;
  return Object.values(value).some((v) => v === null || hasNullMember(v));
}
