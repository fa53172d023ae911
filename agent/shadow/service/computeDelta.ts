import type { JsonObject } from "../JsonValue.js";
import { hasKey, isEmptyObject, isJsonObject, setKey } from "../JsonValue.js";
import { jsonEqual } from "./jsonEqual.js";

/**
 * The delta state: every desired leaf that reported lacks or holds with another value. Nested
 * objects are compared key by key and contribute only their differing keys; arrays and scalars
 * are compared whole. Keys only in reported never appear. Undefined when nothing differs.
 */
export function computeDelta(
  desired: JsonObject | undefined,
  reported: JsonObject | undefined,
): JsonObject | undefined {
  if (desired === undefined) return undefined;
  const delta: JsonObject = {};
  for (const [key, want] of Object.entries(desired)) {
    if (!hasKey(reported, key)) {
      setKey(delta, key, want);
      continue;
    }
    const have = reported![key]!;
    if (isJsonObject(want) && isJsonObject(have)) {
      const inner = computeDelta(want, have);
      if (inner !== undefined) setKey(delta, key, inner);
    } else if (!jsonEqual(want, have)) {
      setKey(delta, key, want);
    }
  }
  return isEmptyObject(delta) ? undefined : delta;
}
