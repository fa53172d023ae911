/** A value as JSON.parse produces it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

export interface JsonObject {
  [key: string]: JsonValue;
}

/** A JSON object, not an array: the shadow merges objects and replaces arrays whole. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function hasKey(object: JsonObject | undefined, key: string): boolean {
  return object !== undefined && Object.hasOwn(object, key);
}

/**
 * Sets an own property. Plain assignment of a key named `__proto__` would replace the prototype
 * instead; shadow keys come from clients, so every write goes through here.
 */
export function setKey(object: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export function isEmptyObject(object: JsonObject): boolean {
  return Object.keys(object).length === 0;
}
