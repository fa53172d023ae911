import type { JsonObject, JsonValue } from "../JsonValue.js";
import { hasKey, isJsonObject, setKey } from "../JsonValue.js";

/**
 * Metadata mirrors a state section: each leaf becomes `{ timestamp }` (epoch seconds of the update
 * that last wrote it), each object becomes an object of the same keys, and each array becomes an
 * array of per-element metadata, because an array is written whole.
 */
export function leafMetadata(value: JsonValue, timestamp: number): JsonValue {
  if (Array.isArray(value)) return value.map((element) => leafMetadata(element, timestamp));
  if (!isJsonObject(value)) return { timestamp };
  const metadata: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) {
    // A null below a new key was not stored (see mergeState), so it has no metadata.
    if (inner !== null) setKey(metadata, key, leafMetadata(inner, timestamp));
  }
  return metadata;
}

/**
 * The stored metadata after `patch` is merged into `previous` (the state section before the
 * update): it follows mergeState step by step, stamping every leaf the patch wrote.
 */
export function stampMetadata(
  metadata: JsonObject | undefined,
  previous: JsonObject | undefined,
  patch: JsonObject,
  timestamp: number,
): JsonObject {
  const result: JsonObject = { ...metadata };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
      continue;
    }
    const before = hasKey(previous, key) ? previous![key] : undefined;
    const current = result[key];
    // Only an object written onto an object merges; anything else was replaced whole.
    const stamped = isJsonObject(value) && isJsonObject(before)
      ? stampMetadata(isJsonObject(current) ? current : undefined, before, value, timestamp)
      : leafMetadata(value, timestamp);
    setKey(result, key, stamped);
  }
  return result;
}

/** Metadata of an update request as /update/accepted echoes it: a deleting null is stamped too. */
export function requestMetadata(patch: JsonObject, timestamp: number): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(patch)) {
    const stamped = isJsonObject(value)
      ? requestMetadata(value, timestamp)
      : leafMetadata(value, timestamp);
    setKey(result, key, stamped);
  }
  return result;
}

/** The metadata of the leaves present in `state`, a subset of the section `metadata` describes. */
export function pickMetadata(metadata: JsonObject | undefined, state: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(state)) {
    if (!hasKey(metadata, key)) continue;
    const meta = metadata![key]!;
    const picked = isJsonObject(value) && isJsonObject(meta) ? pickMetadata(meta, value) : meta;
    setKey(result, key, picked);
  }
  return result;
}
