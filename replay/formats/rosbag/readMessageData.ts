import { readHeaderFields } from "./readHeaderFields.js";
import { readUint32 } from "./readUint32.js";
import { rosTimeToNs } from "./rosTimeToNs.js";

/** A rosbag message data record (op 0x02): connection id, receive time, serialized message. */
export interface MessageData {
  conn: number;
  timeNs: bigint;
  data: Uint8Array;
}

const OP_MESSAGE_DATA = 0x02;

/**
 * Reads the message data record at `offset` of a chunk's (uncompressed) data. Throws an Error
 * saying what is wrong; the caller adds the chunk's coordinates.
 */
export function readMessageData(chunk: Uint8Array, offset: number): MessageData {
  const headerLength = u32At(chunk, offset, "header length");
  const headerEnd = offset + 4 + headerLength;
  const dataLength = u32At(chunk, headerEnd, "data length");
  const dataStart = headerEnd + 4;
  if (dataStart + dataLength > chunk.length) {
    throw new Error(
      `expected ${dataLength} data bytes, found ${Math.max(0, chunk.length - dataStart)}`,
    );
  }

  const fields = readHeaderFields(chunk.subarray(offset + 4, headerEnd));
  const op = fields.get("op");
  if (op?.length !== 1 || op[0] !== OP_MESSAGE_DATA) {
    throw new Error(`expected op 0x02 (message data), found ${describeOp(op)}`);
  }
  const conn = fields.get("conn");
  const time = fields.get("time");
  if (conn?.length !== 4 || time?.length !== 8) {
    throw new Error("expected 4-byte conn and 8-byte time fields in the record header");
  }
  return {
    conn: readUint32(conn, 0, true),
    timeNs: rosTimeToNs({ sec: readUint32(time, 0, true), nsec: readUint32(time, 4, true) }),
    data: chunk.subarray(dataStart, dataStart + dataLength),
  };
}

function u32At(chunk: Uint8Array, offset: number, what: string): number {
  if (offset + 4 > chunk.length) {
    throw new Error(`expected a 4-byte ${what} at chunk offset ${offset}, found end of chunk`);
  }
  return readUint32(chunk, offset, true);
}

function describeOp(op: Uint8Array | undefined): string {
  if (!op) return "no op field";
  return `op ${Array.from(op, (b) => `0x${b.toString(16).padStart(2, "0")}`).join(" ")}`;
}
