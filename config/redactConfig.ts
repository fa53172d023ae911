import { agentSchema } from "./schema/agentSchema.js";
import type { Schema } from "./schema/Schema.js";
import { isRecord } from "./schema/validate.js";

export const REDACTED = "[redacted]";

/**
 * Keys whose values are secret whatever the schema says, so that a value in the wrong place
 * (a misspelt key, a variant not chosen) is still hidden: key paths, passwords, salts, tokens,
 * librdkafka's `sasl.*` and `ssl.*key*` properties.
 */
const SECRET_KEY = /password|passwd|secret|salt|token|^key$|keypath|^sasl\.|^ssl\..*key/i;

/** `scheme://user:password@host`: the password part of a URL's user information. */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:\s]*):[^/?#@\s]*@/i;

/** A URL with the password of its user information (`mqtt://user:pw@host`) redacted. */
export function redactUrl(text: string): string {
  return text.replace(URL_PASSWORD, `$1:${REDACTED}@`);
}

/**
 * A copy of a configuration with every secret replaced by `[redacted]`: what the schema marks
 * secret, and any key that names a secret. For printing and logging only.
 */
export function redactConfig<T>(value: T, schema: Schema | undefined = agentSchema): T {
  return redact(value, schema) as T;
}

function redact(value: unknown, schema: Schema | undefined): unknown {
  if (value === undefined || value === null) return value;
  if (schema?.secret === true) return REDACTED;
  if (Array.isArray(value)) {
    return value.map((item) => redact(item, schema?.type === "array" ? schema.items : undefined));
  }
  if (typeof value === "string") return redactUrl(value);
  if (!isRecord(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const child = childOf(schema, key, value);
    const secretKey = SECRET_KEY.test(key)
      || (schema?.type === "record" && schema.secretKeys?.test(key) === true);
    result[key] = secretKey && !isRecord(v) && !Array.isArray(v) ? REDACTED : redact(v, child);
  }
  return result;
}

function childOf(schema: Schema | undefined, key: string, value: unknown): Schema | undefined {
  if (schema === undefined) return undefined;
  if (schema.type === "object") return schema.fields[key];
  if (schema.type === "record") return schema.values;
  if (schema.type === "union") return childOf(schema.variants[schema.select(value) ?? ""], key,
    value);
  return undefined;
}
