/**
 * The dotted paths at which two configurations differ (`mqtt.url`, `telemetry.streams`): objects
 * are walked key by key, arrays and values compared whole, since a changed list is one change.
 */
export function changedKeys(before: unknown, after: unknown, prefix = ""): string[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].sort().flatMap((key) =>
      changedKeys(before[key], after[key], prefix === "" ? key : `${prefix}.${key}`));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix === "" ? "(root)" : prefix];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
