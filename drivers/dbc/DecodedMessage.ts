import type { DbcMessage } from "./DbcMessage.js";
import type { DbcSignal } from "./DbcSignal.js";

/**
 * One decoded signal. `raw` is a number whenever it is exact (|raw| <= 2^53 - 1) and a bigint
 * beyond. `value` is the physical value `raw * factor + offset` as a number, except that a
 * bigint raw with factor 1 and offset 0 stays a bigint: there the physical value is the raw
 * integer and a double would round it.
 */
export interface DecodedSignal {
  name: string;
  value: number | bigint;
  raw: number | bigint;
  unit: string;
  /** The `VAL_` label of the raw value, where there is one. */
  label?: string;
  signal: DbcSignal;
}

/** A frame decoded against its message: only the signals the frame carries are listed. */
export interface DecodedMessage {
  message: DbcMessage;
  signals: DecodedSignal[];
}
