import type { AttributeValue } from "./DbcAttribute.js";
import type { DbcSignal } from "./DbcSignal.js";

/** `VFrameFormat` as Vector defines it. */
export type FrameFormat =
  | "StandardCAN"
  | "ExtendedCAN"
  | "J1939PG"
  | "StandardCAN_FD"
  | "ExtendedCAN_FD";

/** One `BO_` with its signals. */
export interface DbcMessage {
  name: string;
  /** 11-bit or 29-bit identifier, without the extended flag (bit 31 of the `BO_` id). */
  id: number;
  extended: boolean;
  /** Length in bytes (the `BO_` DLC field, 0–64). */
  length: number;
  fd: boolean;
  frameFormat: FrameFormat;
  /** Matched by PGN rather than exact id (J1939 parameter group). */
  j1939: boolean;
  /** Transmitters: the `BO_` sender and any `BO_TX_BU_`. */
  senders: readonly string[];
  signals: readonly DbcSignal[];
  multiplexed: boolean;
  comment?: string;
  attributes: ReadonlyMap<string, AttributeValue>;
}

/** One `BU_` node. */
export interface DbcNode {
  name: string;
  comment?: string;
  attributes: ReadonlyMap<string, AttributeValue>;
}
