import type { AttributeValue } from "./DbcAttribute.js";

/** `@1` (Intel, little-endian) or `@0` (Motorola, big-endian). */
export type ByteOrder = "little_endian" | "big_endian";

/** Integer, or an IEEE float that `SIG_VALTYPE_` declares (1 = float32, 2 = float64). */
export type SignalValueType = "integer" | "float32" | "float64";

/**
 * The condition under which a multiplexed signal is present: the raw value of `multiplexer`
 * lies in one of `ranges` (inclusive), and the multiplexer is itself present.
 */
export interface MultiplexCondition {
  multiplexer: string;
  ranges: readonly (readonly [number, number])[];
}

/** One `SG_` of a message, with what the rest of the file says about it. */
export interface DbcSignal {
  name: string;
  /** Position in the message's `signals`, also the slot `decodeInto` writes. */
  index: number;
  /** Start bit as written: the LSB for Intel, the MSB (sawtooth numbering) for Motorola. */
  startBit: number;
  length: number;
  byteOrder: ByteOrder;
  signed: boolean;
  valueType: SignalValueType;
  factor: number;
  offset: number;
  /** Physical range; `[0|0]` in the file means none is given. */
  min: number;
  max: number;
  unit: string;
  receivers: readonly string[];
  /** A multiplexer (`M`, or `mNM` in extended multiplexing). */
  isMultiplexer: boolean;
  multiplexedBy?: MultiplexCondition;
  /** Value descriptions (`VAL_`), raw value to label. */
  choices?: ReadonlyMap<number, string>;
  comment?: string;
  attributes: ReadonlyMap<string, AttributeValue>;
  /** False when the bits run past the message length (kept only when parsed leniently). */
  fitsMessage: boolean;
}
