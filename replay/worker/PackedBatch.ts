/**
 * The layout of one batch of records as the read worker hands it over: one ArrayBuffer of
 * columns (transferred, never cloned), so that crossing threads costs no object per record.
 *
 * | column   | type    | frame                    | message                 |
 * |----------|---------|--------------------------|-------------------------|
 * | time     | f64     | timeNs                   | timeNs                  |
 * | id       | u32     | CAN ID                   | topic (string index)    |
 * | channel  | u32     | record channel (string)  | record channel (string) |
 * | aux      | u32     | frame.channel (string)   | type (string index)     |
 * | aux2     | u32     | 0                        | encoding index + 1 or 0 |
 * | dataEnd  | u32     | end of payload in data   | end of data in data     |
 * | flags    | u16     | PackedFlag bits          | PackedFlag.message      |
 * | dlc      | u8      | raw DLC                  | 0                       |
 * then the payload bytes of every record, back to back (a reused buffer may run on past the
 * last record's dataEnd).
 */
export const PackedFlag = {
  message: 1 << 0,
  extended: 1 << 1,
  fd: 1 << 2,
  brs: 1 << 3,
  esi: 1 << 4,
  remote: 1 << 5,
  error: 1 << 6,
  dirRx: 1 << 7,
  dirTx: 1 << 8,
} as const;

/** Bytes of columns per record, before the payloads. */
export const COLUMN_BYTES_PER_RECORD = 8 + 4 * 5 + 2 + 1;

export interface PackedColumns {
  time: Float64Array;
  id: Uint32Array;
  channel: Uint32Array;
  aux: Uint32Array;
  aux2: Uint32Array;
  dataEnd: Uint32Array;
  flags: Uint16Array;
  dlc: Uint8Array;
  data: Uint8Array;
}

/** Bytes a batch of `count` records takes in its buffer: columns, then payloads. */
export function packedBytes(columns: PackedColumns, count: number): number {
  const payloads = count === 0 ? 0 : (columns.dataEnd[count - 1] as number);
  return count * COLUMN_BYTES_PER_RECORD + payloads;
}

/** Views of the columns of a buffer holding `count` records (f64 first keeps all aligned). */
export function packedColumns(buffer: ArrayBuffer, count: number): PackedColumns {
  const u32 = (column: number) => new Uint32Array(buffer, 8 * count + 4 * count * column, count);
  return {
    time: new Float64Array(buffer, 0, count),
    id: u32(0),
    channel: u32(1),
    aux: u32(2),
    aux2: u32(3),
    dataEnd: u32(4),
    flags: new Uint16Array(buffer, 28 * count, count),
    dlc: new Uint8Array(buffer, 30 * count, count),
    data: new Uint8Array(buffer, COLUMN_BYTES_PER_RECORD * count),
  };
}
