import type {
  ArraySchema, BooleanSchema, NumberSchema, ObjectSchema, RecordSchema, Schema, StringSchema,
} from "./Schema.js";

type Extra<S> = Partial<Omit<S, "type" | "doc">>;

export const str = (doc: string, extra: Extra<StringSchema> = {}): StringSchema =>
  ({ type: "string", doc, ...extra });

export const oneOf = (doc: string, values: readonly string[], extra: Extra<StringSchema> = {}) =>
  str(doc, { enum: values, ...extra });

export const num = (doc: string, extra: Extra<NumberSchema> = {}): NumberSchema =>
  ({ type: "number", doc, ...extra });

/** Milliseconds, a count or a size: an integer >= 0. */
export const int = (doc: string, extra: Extra<NumberSchema> = {}): NumberSchema =>
  num(doc, { integer: true, min: 0, ...extra });

export const port = (doc: string, extra: Extra<NumberSchema> = {}): NumberSchema =>
  int(doc, { max: 65535, ...extra });

export const bool = (doc: string, extra: Extra<BooleanSchema> = {}): BooleanSchema =>
  ({ type: "boolean", doc, ...extra });

export const obj = (
  doc: string,
  fields: Record<string, Schema>,
  extra: Extra<ObjectSchema> = {},
): ObjectSchema => ({ type: "object", doc, fields, ...extra });

export const list = (doc: string, items: Schema, extra: Extra<ArraySchema> = {}): ArraySchema =>
  ({ type: "array", doc, items, ...extra });

export const map = (
  doc: string,
  keyDoc: string,
  values: Schema,
  extra: Extra<RecordSchema> = {},
): RecordSchema => ({ type: "record", doc, keyDoc, values, ...extra });

export const opt = <S extends Schema>(schema: S): S => ({ ...schema, optional: true });

/** `virtual:<name>` or `socketcan:<interface>`, as `openCanBus` takes them. */
export const busSpec = (doc: string, extra: Extra<StringSchema> = {}): StringSchema =>
  str(doc, { pattern: /^(virtual|socketcan):\S+$/,
    patternDoc: "virtual:<name> or socketcan:<interface>", ...extra });
