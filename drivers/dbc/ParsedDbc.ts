import type { AttributeDefinition, AttributeValue } from "./DbcAttribute.js";
import type { ByteOrder, MultiplexCondition } from "./DbcSignal.js";

/** An `SG_` line as written, before the rest of the file is applied to it. */
export interface ParsedSignal {
  name: string;
  startBit: number;
  length: number;
  byteOrder: ByteOrder;
  signed: boolean;
  factor: number;
  offset: number;
  min: number;
  max: number;
  unit: string;
  receivers: string[];
  isMultiplexer: boolean;
  /** The `n` of `mn` / `mnM`. */
  multiplexValue?: number;
  line: number;
}

/** A `BO_` block as written; `rawId` keeps bit 31 (extended) as the file does. */
export interface ParsedMessage {
  rawId: number;
  name: string;
  length: number;
  sender: string;
  signals: ParsedSignal[];
  line: number;
}

/** Objects that carry comments and attribute values, keyed as the file refers to them. */
export interface ObjectTable<T> {
  network?: T;
  nodes: Map<string, T>;
  /** By raw `BO_` id. */
  messages: Map<number, T>;
  /** By `signalKey(rawId, name)`. */
  signals: Map<string, T>;
}

/** Everything the statements of one DBC file say, keyed as the file refers to things. */
export interface ParsedDbc {
  version: string;
  nodes: string[];
  messages: ParsedMessage[];
  valueTables: Map<string, Map<number, string>>;
  comments: ObjectTable<string>;
  attributeDefinitions: Map<string, AttributeDefinition>;
  attributes: ObjectTable<Map<string, AttributeValue>>;
  /** `VAL_` per signal. */
  choices: Map<string, Map<number, string>>;
  /** `SIG_VALTYPE_` per signal: 1 float32, 2 float64. */
  valueTypes: Map<string, number>;
  /** `SG_MUL_VAL_` per signal. */
  multiplexing: Map<string, MultiplexCondition>;
  /** `BO_TX_BU_` per raw id. */
  transmitters: Map<number, string[]>;
  /** Statements accepted although not well-formed, with where they are. */
  warnings: string[];
}

export function signalKey(rawId: number, name: string): string {
  return `${rawId}/${name}`;
}
