import { parse } from "yaml";
import type { ConfigProblem } from "./ConfigError.js";
import { formatPath } from "./schema/formatPath.js";
import type { Schema } from "./schema/Schema.js";
import { isRecord, type Segment } from "./schema/validate.js";

/** The agent configuration's variables: `ROADRIG_AGENT__MQTT__URL` sets `mqtt.url`. */
export const AGENT_ENV_PREFIX = "ROADRIG_AGENT__";

export interface EnvOverride {
  readonly variable: string;
  readonly at: readonly Segment[];
}

export interface Overridden {
  readonly value: unknown;
  readonly overrides: readonly EnvOverride[];
  readonly problems: readonly ConfigProblem[];
}

/**
 * Applies `PREFIX` variables over the file's value. After the prefix, `__` separates keys; a
 * key is matched without regard to case or underscores (`REQUEST_TIMEOUT_MS` is
 * `requestTimeoutMs`), a number is a list index, and the value is read as a YAML scalar or flow
 * collection (`5000`, `true`, `[socketcan:can0, socketcan:can1]`). Empty variables are skipped.
 */
export function applyEnvOverrides(
  value: unknown,
  schema: Schema,
  env: Readonly<Record<string, string | undefined>>,
  prefix = AGENT_ENV_PREFIX,
): Overridden {
  let result: unknown = structuredClone(value ?? {});
  const overrides: EnvOverride[] = [];
  const problems: ConfigProblem[] = [];
  // An empty variable counts as unset, so that a template can leave an optional key out.
  const names = Object.keys(env).filter((n) => n.startsWith(prefix) && env[n] !== "").sort();
  for (const variable of names) {
    const words = variable.slice(prefix.length).split("__");
    const at = resolveKeys(words, schema, result);
    if (!Array.isArray(at)) {
      problems.push({ path: at.path, variable, expected: at.expected,
        found: `no key matches "${words.join("__")}"` });
      continue;
    }
    result = setIn(result, at, readScalar(env[variable] ?? ""));
    overrides.push({ variable, at });
  }
  return { value: result, overrides, problems };
}

/** The keys the words name, or the path up to the word that names none. */
function resolveKeys(
  words: string[],
  root: Schema,
  value: unknown,
): Segment[] | { path: string; expected: string } {
  const at: Segment[] = [];
  let schema: Schema | undefined = root;
  let here: unknown = value;
  for (const word of words) {
    const key = keyFor(word, schema, here);
    if (key === undefined || schema === undefined) {
      // An index past the end would make a sparse list as long as the number says.
      const list = schema?.type === "array";
      const expected = list
        ? `a list index from 0 to ${Array.isArray(here) ? here.length : 0}`
        : "a key of the configuration";
      const last = list && /^\d+$/.test(word) ? Number(word) : word;
      return { path: formatPath([...at, last]), expected };
    }
    at.push(key);
    schema = childSchema(schema, key, here);
    here = (here as Record<Segment, unknown> | undefined)?.[key];
  }
  return at;
}

const plain = (s: string) => s.replace(/[_-]/g, "").toLowerCase();

function keyFor(word: string, schema: Schema | undefined, value: unknown): Segment | undefined {
  if (schema === undefined) return undefined;
  if (schema.type === "array") {
    const end = Array.isArray(value) ? value.length : 0;
    return /^\d+$/.test(word) && Number(word) <= end ? Number(word) : undefined;
  }
  const keys = schema.type === "object" ? Object.keys(schema.fields)
    : schema.type === "union" ? unionKeys(schema, value)
      : schema.type === "record" && isRecord(value) ? Object.keys(value) : [];
  const found = keys.find((k) => plain(k) === plain(word));
  if (found !== undefined || schema.type !== "record") return found;
  return word.toLowerCase();
}

function unionKeys(schema: Schema & { type: "union" }, value: unknown): string[] {
  const variant = schema.variants[schema.select(value) ?? ""];
  const all = variant ? [variant] : Object.values(schema.variants);
  return all.flatMap((v) => (v.type === "object" ? Object.keys(v.fields) : []));
}

function childSchema(schema: Schema, key: Segment, value: unknown): Schema | undefined {
  if (schema.type === "array") return schema.items;
  if (schema.type === "record") return schema.values;
  if (schema.type === "object") return schema.fields[key];
  if (schema.type !== "union") return undefined;
  const variant = schema.variants[schema.select(value) ?? ""];
  const all = variant ? [variant] : Object.values(schema.variants);
  for (const v of all) {
    if (v.type === "object" && v.fields[key] !== undefined) return v.fields[key];
  }
  return undefined;
}

function readScalar(text: string): unknown {
  try {
    return parse(text) as unknown;
  } catch {
    return text;
  }
}

function setIn(root: unknown, at: readonly Segment[], value: unknown): unknown {
  if (at.length === 0) return value;
  const [head, ...rest] = at as [Segment, ...Segment[]];
  const container: Record<Segment, unknown> | unknown[] = typeof head === "number"
    ? (Array.isArray(root) ? root : [])
    : (isRecord(root) ? root : {});
  (container as Record<Segment, unknown>)[head] =
    setIn((container as Record<Segment, unknown>)[head], rest, value);
  return container;
}
