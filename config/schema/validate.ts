import { resolve } from "node:path";
import { closestName } from "./closestName.js";
import { describeValue } from "./describeValue.js";
import type { Schema } from "./Schema.js";

/** A step into the configuration: a key or a list index. */
export type Segment = string | number;

/** A problem before it is placed in the file: where (as segments), expected, found. */
export interface SchemaProblem {
  readonly at: readonly Segment[];
  readonly expected: string;
  readonly found: string;
  /** The problem is the key itself (unknown), not its value. */
  readonly atKey?: boolean;
  /** 0-based position inside a string value (an expression's error). */
  readonly column?: number;
}

/** A path value, resolved against the configuration file's folder. */
export interface PathValue {
  readonly at: readonly Segment[];
  readonly path: string;
  readonly mode: "file" | "dir";
}

export interface Validated {
  /** The value with defaults filled in and paths resolved (meaningful when no problem). */
  readonly value: unknown;
  readonly problems: SchemaProblem[];
  readonly paths: PathValue[];
}

/** Checks `value` against `schema`, collecting every problem rather than stopping at one. */
export function validate(value: unknown, schema: Schema, base: string): Validated {
  const out: Validated = { value: undefined, problems: [], paths: [] };
  return { ...out, value: walk(value, schema, [], { ...out, base }) };
}

interface Walk extends Validated {
  readonly base: string;
}

function walk(value: unknown, schema: Schema, at: Segment[], w: Walk): unknown {
  const before = w.problems.length;
  const result = shape(value, schema, at, w);
  if (w.problems.length === before && schema.type === "string" && schema.check) {
    const failure = schema.check(value as string);
    if (failure) w.problems.push({ at, ...failure });
  }
  return result;
}

function shape(value: unknown, schema: Schema, at: Segment[], w: Walk): unknown {
  const fail = (expected = expectedOf(schema)) => {
    // A secret in the wrong shape is still a secret: say its type only.
    const found = schema.secret === true && value !== undefined
      ? `${Array.isArray(value) ? "a list" : typeof value} (secret, not shown)`
      : describeValue(value);
    w.problems.push({ at, expected, found });
    return value;
  };
  switch (schema.type) {
    case "string": {
      if (typeof value !== "string") return fail();
      if (schema.enum && !schema.enum.includes(value)) return fail(withGuess(schema, value));
      if (schema.pattern && !schema.pattern.test(value)) return fail();
      if (schema.path === undefined) return value;
      const path = resolve(w.base, value);
      w.paths.push({ at, path, mode: schema.path });
      return path;
    }
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return fail();
      if (schema.integer && !Number.isInteger(value)) return fail();
      const { min = -Infinity, max = Infinity } = schema;
      return value < min || value > max ? fail() : value;
    }
    case "boolean":
      return typeof value === "boolean" ? value : fail();
    case "scalar":
      return (schema.types as readonly string[]).includes(typeof value) ? value : fail();
    case "array":
      if (!Array.isArray(value)) return fail();
      if (value.length < (schema.minItems ?? 0)) return fail();
      return value.map((item, i) => walk(item, schema.items, [...at, i], w));
    case "record":
      if (!isRecord(value)) return fail();
      return Object.fromEntries(Object.entries(value).map(([k, v]) =>
        [k, walk(v, schema.values, [...at, k], w)]));
    case "object":
      return isRecord(value) ? object(value, schema.fields, at, w) : fail();
    case "union": {
      const variant = schema.variants[schema.select(value) ?? ""];
      if (variant) return walk(value, variant, at, w);
      const tag = isRecord(value) ? schema.tag : undefined;
      const found = tag === undefined ? value : (value as Record<string, unknown>)[tag];
      w.problems.push({ at: tag === undefined ? at : [...at, tag],
        expected: schema.expected, found: describeValue(found) });
      return value;
    }
  }
}

function object(
  value: Record<string, unknown>,
  fields: Readonly<Record<string, Schema>>,
  at: Segment[],
  w: Walk,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const known = Object.keys(fields);
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(fields, key)) continue;
    const guess = closestName(key, known);
    w.problems.push({ at: [...at, key], atKey: true, found: `unknown key "${key}"`,
      expected: guess === undefined ? `one of ${known.join(", ")}` : `"${guess}" (did you mean?)` });
  }
  for (const [key, field] of Object.entries(fields)) {
    const v = value[key];
    if (v !== undefined) result[key] = walk(v, field, [...at, key], w);
    else if (field.default !== undefined) {
      result[key] = walk(structuredClone(field.default), field, [...at, key], w);
    } else if (field.optional !== true) {
      w.problems.push({ at: [...at, key], expected: expectedOf(field), found: "nothing" });
    }
  }
  return result;
}

/** "expected" for a value of this schema, e.g. `an integer from 1 to 65535`. */
export function expectedOf(schema: Schema): string {
  switch (schema.type) {
    case "string":
      if (schema.enum) return schema.enum.map((e) => JSON.stringify(e)).join(" or ");
      return schema.patternDoc ?? (schema.path ? "a path" : "a string");
    case "number":
      return numberExpected(schema.integer === true, schema.min, schema.max);
    case "boolean":
      return "true or false";
    case "scalar":
      return `a ${schema.types.join(" or ")}`;
    case "array":
      return schema.minItems ? `a list of at least ${schema.minItems}` : "a list";
    case "record":
    case "object":
      return "a map";
    case "union":
      return schema.expected;
  }
}

function numberExpected(integer: boolean, min?: number, max?: number): string {
  const noun = integer ? "an integer" : "a number";
  if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
  if (min !== undefined) return `${noun} >= ${min}`;
  if (max !== undefined) return `${noun} <= ${max}`;
  return noun;
}

function withGuess(schema: Schema & { type: "string" }, value: string): string {
  const guess = closestName(value, schema.enum ?? []);
  return expectedOf(schema) + (guess === undefined ? "" : ` (did you mean "${guess}"?)`);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
