import type { JsonValue } from "../JsonValue.js";
import { hasKey, isJsonObject } from "../JsonValue.js";

/** Structural equality of two JSON values; key order is irrelevant, array order is not. */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]!));
  }
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => hasKey(b, key) && jsonEqual(a[key]!, b[key]!));
}
