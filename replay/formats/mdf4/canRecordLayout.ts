/**
 * The record layout roadrig writes for ASAM MDF4 bus logging of CAN (one channel group per
 * frame type, no record id). Every record starts with the `Timestamp` master (float64 seconds)
 * and the members of the `<group>` structure channel follow from byte 8:
 *
 * | byte | bits | member |
 * |---|---|---|
 * | 8 | 0–7 | BusChannel |
 * | 9–12 | 0–28 of the LE uint32 | ID |
 * | 12 | 7 | IDE (29-bit identifier) |
 * | 13 | 0–3 | DLC (raw code) |
 * | 13 | 4 | Dir (0 Rx, 1 Tx) |
 * | 13 | 5, 6, 7 | EDL (FD), BRS, ESI |
 * | 14 | 0–7 | DataLength (payload bytes) |
 * | 15 | 0–7 | ErrorType (error frames; zero elsewhere) |
 * | 16–79 | | DataBytes (64 bytes, zero past DataLength) |
 *
 * DataBytes is a fixed array rather than a VLSD channel so that records keep one size and a
 * reader can address any record without an SD block. It holds 64 bytes, so FD frames may come
 * at any time; a writer told that no FD frame will come uses 8 (records of 24 bytes).
 * Remote frames carry no payload: their records stop after byte 15.
 */
export type CanGroupName = "CAN_DataFrame" | "CAN_RemoteFrame" | "CAN_ErrorFrame";

export const CAN_GROUPS: readonly CanGroupName[] = [
  "CAN_DataFrame",
  "CAN_RemoteFrame",
  "CAN_ErrorFrame",
];

export const CAN_RECORD = {
  timestamp: 0,
  busChannel: 8,
  id: 9,
  ideByte: 12,
  flags: 13,
  dataLength: 14,
  errorType: 15,
  dataBytes: 16,
} as const;

/** Bits of the flags byte (13). */
export const CAN_FLAG = { dir: 0x10, edl: 0x20, brs: 0x40, esi: 0x80 } as const;

/** IDE is the top bit of byte 12, above the 29 bits of ID. */
export const IDE_BIT = 0x80;

/** Size of the DataBytes array: room for CAN FD, or for classic CAN only. */
export type DataBytesSize = 64 | 8;

export function recordBytes(group: CanGroupName, dataBytes: DataBytesSize): number {
  return group === "CAN_RemoteFrame" ? CAN_RECORD.dataBytes : CAN_RECORD.dataBytes + dataBytes;
}

/** MDF4 cn_data_type codes used here. */
export const CN_DATA_TYPE = { uintLe: 0, floatLe: 4, byteArray: 10 } as const;

export interface MemberChannel {
  /** Name after the group prefix, e.g. `ID` for `CAN_DataFrame.ID`. */
  name: string;
  byteOffset: number;
  bitOffset: number;
  bits: number;
  dataType: number;
}

const u = CN_DATA_TYPE.uintLe;
const busChannel = { name: "BusChannel", byteOffset: 8, bitOffset: 0, bits: 8, dataType: u };
const id = { name: "ID", byteOffset: 9, bitOffset: 0, bits: 29, dataType: u };
const ide = { name: "IDE", byteOffset: 12, bitOffset: 7, bits: 1, dataType: u };
const dlc = { name: "DLC", byteOffset: 13, bitOffset: 0, bits: 4, dataType: u };
const dataLength = { name: "DataLength", byteOffset: 14, bitOffset: 0, bits: 8, dataType: u };
const dataBytesOf = (size: DataBytesSize): MemberChannel => ({
  name: "DataBytes",
  byteOffset: CAN_RECORD.dataBytes,
  bitOffset: 0,
  bits: size * 8,
  dataType: CN_DATA_TYPE.byteArray,
});
const dir = { name: "Dir", byteOffset: 13, bitOffset: 4, bits: 1, dataType: u };
const edl = { name: "EDL", byteOffset: 13, bitOffset: 5, bits: 1, dataType: u };
const brs = { name: "BRS", byteOffset: 13, bitOffset: 6, bits: 1, dataType: u };
const esi = { name: "ESI", byteOffset: 13, bitOffset: 7, bits: 1, dataType: u };
const errorType = { name: "ErrorType", byteOffset: 15, bitOffset: 0, bits: 8, dataType: u };

/** Members of a group's structure channel, in the order the CN chain lists them. */
export function memberChannels(group: CanGroupName, size: DataBytesSize): MemberChannel[] {
  const header = [busChannel, id, ide, dlc, dataLength];
  const flags = [dir, edl, brs, esi];
  switch (group) {
    case "CAN_DataFrame":
      return [...header, dataBytesOf(size), ...flags];
    case "CAN_RemoteFrame":
      return [...header, dir];
    case "CAN_ErrorFrame":
      return [...header, dataBytesOf(size), ...flags, errorType];
  }
}
