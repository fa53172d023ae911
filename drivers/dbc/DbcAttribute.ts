/** What a DBC attribute is attached to (`BA_DEF_` object type; none means the network). */
export type DbcObjectType = "network" | "node" | "message" | "signal" | "envvar";

/** An attribute value as written: numbers for INT, HEX, FLOAT and ENUM indexes, else text. */
export type AttributeValue = number | string;

/** One `BA_DEF_`, with its `BA_DEF_DEF_` default where the file gives one. */
export interface AttributeDefinition {
  name: string;
  objectType: DbcObjectType;
  type: "INT" | "HEX" | "FLOAT" | "STRING" | "ENUM";
  min?: number;
  max?: number;
  /** ENUM labels, in index order. */
  values?: readonly string[];
  default?: AttributeValue;
}

/**
 * The value of an attribute on one object, falling back to the definition's default; ENUM
 * indexes become their labels (a default is given as a label already).
 */
export function resolveAttribute(
  definitions: ReadonlyMap<string, AttributeDefinition>,
  values: ReadonlyMap<string, AttributeValue>,
  name: string,
): AttributeValue | undefined {
  const definition = definitions.get(name);
  const value = values.get(name) ?? definition?.default;
  if (value === undefined || definition?.type !== "ENUM" || typeof value !== "number") {
    return value;
  }
  return definition.values?.[value] ?? value;
}
