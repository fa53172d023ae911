import type { JsonValue } from "../shadow/JsonValue.js";
import type { BodyMap } from "./BodyMap.js";
import type { BodyFailure } from "./BodyOutcome.js";

export interface DesiredRefusal {
  readonly code: BodyFailure;
  readonly reason: string;
}

/** Refuses a desired value the map cannot turn into a command: unknown field, type, range. */
export function checkDesired(
  map: BodyMap,
  field: string,
  value: JsonValue,
): DesiredRefusal | undefined {
  if (!Object.hasOwn(map.fields, field)) {
    const known = Object.keys(map.fields).join(", ");
    return { code: "unknown-field", reason: `expected one of ${known}, found '${field}'` };
  }
  const spec = map.fields[field]!;
  if (spec.kind === "enum") {
    const allowed = Object.keys(spec.command.values);
    if (typeof value === "string" && allowed.includes(value)) return undefined;
    return invalid(`expected ${allowed.map((v) => `"${v}"`).join(" or ")}, found ${show(value)}`);
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return invalid(`expected a number ${spec.min}–${spec.max}, found ${show(value)}`);
  }
  if (value < spec.min || value > spec.max) {
    return invalid(`expected ${spec.min}–${spec.max}, found ${value}`);
  }
  return undefined;
}

function invalid(reason: string): DesiredRefusal {
  return { code: "invalid", reason };
}

function show(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
