/**
 * A configuration schema written as data: the validator walks it, the documentation table is
 * generated from it, and the effective configuration takes its defaults from it.
 */
export type Schema =
  | StringSchema
  | NumberSchema
  | BooleanSchema
  | ScalarSchema
  | ObjectSchema
  | ArraySchema
  | RecordSchema
  | UnionSchema;

interface Common {
  /** One sentence for the documentation table. */
  readonly doc: string;
  /** Absent keys take this value in the effective configuration. */
  readonly default?: unknown;
  /** How the default reads in the documentation, when not its JSON. */
  readonly defaultDoc?: string;
  readonly optional?: boolean;
  /** Redacted wherever the configuration is printed or logged. */
  readonly secret?: boolean;
}

/** What a `check` reports: `column` is the 0-based position inside a string value. */
export interface CheckFailure {
  readonly expected: string;
  readonly found: string;
  readonly column?: number;
}

export interface StringSchema extends Common {
  readonly type: "string";
  readonly enum?: readonly string[];
  readonly pattern?: RegExp;
  /** What the pattern means, for "expected". */
  readonly patternDoc?: string;
  /** A path relative to the configuration file; `file` must be readable, `dir` may be made. */
  readonly path?: "file" | "dir";
  /** A check beyond the shape (an expression that must compile). */
  readonly check?: (value: string) => CheckFailure | undefined;
}

export interface NumberSchema extends Common {
  readonly type: "number";
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}

export interface BooleanSchema extends Common {
  readonly type: "boolean";
}

/** A string, number or boolean (librdkafka properties, DBC signal values). */
export interface ScalarSchema extends Common {
  readonly type: "scalar";
  readonly types: readonly ("string" | "number" | "boolean")[];
}

export interface ObjectSchema extends Common {
  readonly type: "object";
  readonly fields: Readonly<Record<string, Schema>>;
}

export interface ArraySchema extends Common {
  readonly type: "array";
  readonly items: Schema;
  readonly minItems?: number;
}

/** An object whose keys are names the user chooses (body fields, Kafka properties). */
export interface RecordSchema extends Common {
  readonly type: "record";
  readonly values: Schema;
  /** How a key reads in the documentation, e.g. `<field>`. */
  readonly keyDoc: string;
  /** Keys whose values are secret, beyond the value schema's own `secret`. */
  readonly secretKeys?: RegExp;
}

/** One of several shapes, chosen by `select` (a `transport` or `type` key, a string or not). */
export interface UnionSchema extends Common {
  readonly type: "union";
  /** The key whose value names the variant, reported when it names none. */
  readonly tag?: string;
  readonly select: (value: unknown) => string | undefined;
  readonly variants: Readonly<Record<string, Schema>>;
  /** What the selector expects, e.g. `"iot-core" or "mqtt"`. */
  readonly expected: string;
}
