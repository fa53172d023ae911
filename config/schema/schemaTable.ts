import type { Schema } from "./Schema.js";
import { expectedOf } from "./validate.js";

export interface SchemaRow {
  /** `telemetry.streams[].signals[].minIntervalMs`, `body.fields.<field>.kind`. */
  readonly key: string;
  readonly type: string;
  /** The default, `required`, or `—` for an optional key without one. */
  readonly default: string;
  readonly meaning: string;
}

/** One row per key the schema knows, in schema order: the documentation's table. */
export function schemaRows(schema: Schema, prefix = "", variant = ""): SchemaRow[] {
  if (schema.type !== "object") return inner(schema, prefix, variant);
  return Object.entries(schema.fields).flatMap(([key, field]) => {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    return [row(path, field, variant), ...inner(field, path, variant)];
  });
}

function inner(schema: Schema, path: string, variant: string): SchemaRow[] {
  if (schema.type === "object") return schemaRows(schema, path, variant);
  if (schema.type === "array") return inner(schema.items, `${path}[]`, variant);
  if (schema.type === "record") return inner(schema.values, `${path}.${schema.keyDoc}`, variant);
  if (schema.type !== "union") return [];
  return Object.entries(schema.variants).flatMap(([name, v]) =>
    (v.type === "object" ? schemaRows(v, path, schema.tag ? `${schema.tag}: ${name}` : "") : []));
}

function row(key: string, schema: Schema, variant: string): SchemaRow {
  const fallback = schema.optional === true ? "—" : "required";
  const given = schema.default === undefined ? undefined : JSON.stringify(schema.default);
  return {
    key,
    type: expectedOf(schema),
    default: schema.defaultDoc ?? given ?? fallback,
    meaning: (variant === "" ? "" : `(${variant}) `) + schema.doc + (schema.secret ? " Secret." : ""),
  };
}

/** The rows as a Markdown table. */
export function schemaTable(schema: Schema): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const lines = ["| key | type | default | meaning |", "|---|---|---|---|"];
  for (const r of schemaRows(schema)) {
    lines.push(`| \`${r.key}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.meaning)} |`);
  }
  return lines.join("\n");
}
