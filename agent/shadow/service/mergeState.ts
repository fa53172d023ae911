import type { JsonObject, JsonValue } from "../JsonValue.js";
import { isJsonObject, setKey } from "../JsonValue.js";

/**
 * Applies one section of an update (`state.desired` or `state.reported`) to the stored section:
 * objects merge key by key at every depth, `null` deletes a key, any other value (arrays
 * included) replaces the stored one whole. Neither input is modified.
 */
export function mergeState(target: JsonObject | undefined, patch: JsonObject): JsonObject {
  const result: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = result[key];
    const merged = isJsonObject(value) && isJsonObject(current)
      ? mergeState(current, value)
      : withoutNulls(value);
    setKey(result, key, merged);
  }
  return result;
}

// A null inside an object that did not exist yet deletes nothing, so it is not stored either.
function withoutNulls(value: JsonValue): JsonValue {
  return isJsonObject(value) ? mergeState(undefined, value) : value;
}
