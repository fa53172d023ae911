/** How a found value reads in a problem: `nothing`, `a list`, `number 5`, `string "soon"`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  // JSON has no Infinity or NaN: 1e400 in a file would otherwise read as `number null`.
  if (typeof value === "number" && !Number.isFinite(value)) return `number ${String(value)}`;
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}
