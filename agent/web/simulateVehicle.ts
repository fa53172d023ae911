import type { JsonValue } from "../shadow/JsonValue.js";
import { isJsonObject } from "../shadow/JsonValue.js";
import type { BodyMap } from "../body/BodyMap.js";

/** What the hook needs of the simulated body ECU: SimulatedBodyEcu has this shape. */
export interface SimulatedVehicle {
  speed: number;
  /** The highest speed its speed message can carry. */
  readonly maxSpeed: number;
  respond: boolean;
  set(field: string, value: JsonValue): void;
  sendStatus(): void;
}

/**
 * The vehicle side of the embedded default, as a hand on the door or a foot on the pedal would
 * change it: `{"door": "closed", "windowFL": 40, "speed": 12}` sets the simulated ECU's state
 * (each value a status the ECU can send) and speed, and the ECU sends its status at once;
 * `{"respond": false}` makes it ignore commands (a dead actuator: the agent's timeout).
 * Returns the problems, one per bad key, and changes nothing when there is any.
 */
export function simulateVehicle(
  vehicle: SimulatedVehicle,
  map: BodyMap,
  request: unknown,
): string[] {
  if (!isJsonObject(request)) return ["expected a JSON object"];
  const entries = Object.entries(request as Record<string, JsonValue>);
  const problems = entries.flatMap(([key, value]) => {
    const problem = key === "speed" ? checkSpeed(vehicle, value) : checkKey(map, key, value);
    return problem === undefined ? [] : [`${key}: ${problem}`];
  });
  if (entries.length === 0) problems.push("expected at least one field, speed or respond");
  if (problems.length > 0) return problems;

  for (const [key, value] of entries) {
    if (key === "speed") vehicle.speed = value as number;
    else if (key === "respond") vehicle.respond = value as boolean;
    else vehicle.set(key, value);
  }
  vehicle.sendStatus();
  return [];
}

function checkSpeed(vehicle: SimulatedVehicle, value: JsonValue): string | undefined {
  const max = vehicle.maxSpeed;
  const fits = typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= max;
  if (fits) return undefined;
  const range = Number.isFinite(max) ? `from 0 to ${max}` : "≥ 0";
  return `expected a speed ${range}, found ${JSON.stringify(value)}`;
}

function checkKey(map: BodyMap, key: string, value: JsonValue): string | undefined {
  if (key === "respond") {
    return typeof value === "boolean" ? undefined : `expected true or false, found ${JSON.stringify(value)}`;
  }
  if (!Object.hasOwn(map.fields, key)) {
    return `expected speed, respond or one of ${Object.keys(map.fields).join(", ")}`;
  }
  const spec = map.fields[key]!;
  if (spec.kind === "enum") {
    const states = Object.values(spec.status.values);
    return typeof value === "string" && states.includes(value)
      ? undefined
      : `expected ${states.map((s) => `"${s}"`).join(" or ")}, found ${JSON.stringify(value)}`;
  }
  return typeof value === "number" && value >= spec.min && value <= spec.max
    ? undefined
    : `expected ${spec.min}–${spec.max}, found ${JSON.stringify(value)}`;
}
