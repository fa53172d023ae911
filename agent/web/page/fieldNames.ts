/** How the sample vehicle's fields read on the page; other fields show their shadow key. */
const NAMES: Readonly<Record<string, string>> = {
  door: "Door, front left",
  lock: "Central lock",
  trunk: "Trunk",
  windowFL: "Window, front left",
  windowFR: "Window, front right",
};

export function fieldName(field: string): string {
  return NAMES[field] ?? field;
}

/** A shadow value as the page writes it: windows in percent, states as they are. */
export function showValue(value: unknown): string {
  if (value === undefined) return "not reported yet";
  if (typeof value === "number") return `${value} % open`;
  return typeof value === "string" ? value : JSON.stringify(value);
}
