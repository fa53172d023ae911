import type { JsonObject } from "../JsonValue.js";
import { hasKey, isEmptyObject, isJsonObject, setKey } from "../JsonValue.js";

/**
 * The part of `tree` at the key paths that `selector` names. Where the selector stops (a leaf,
 * an array, a null, an empty object) the whole subtree of `tree` is taken. Undefined when
 * nothing is selected.
 */
export function pickPaths(
  tree: JsonObject | undefined,
  selector: JsonObject,
): JsonObject | undefined {
  if (tree === undefined) return undefined;
  const picked: JsonObject = {};
  for (const [key, select] of Object.entries(selector)) {
    if (!hasKey(tree, key)) continue;
    const value = tree[key]!;
    // An empty object in the selector names its path as a whole, like a leaf.
    if (isJsonObject(select) && isJsonObject(value) && !isEmptyObject(select)) {
      const inner = pickPaths(value, select);
      if (inner !== undefined) setKey(picked, key, inner);
    } else {
      setKey(picked, key, value);
    }
  }
  return isEmptyObject(picked) ? undefined : picked;
}
