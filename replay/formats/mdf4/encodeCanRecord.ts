import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import { CAN_EFF_MASK } from "../../../drivers/can/CanFrame.js";
import { CAN_FLAG, CAN_RECORD, IDE_BIT } from "./canRecordLayout.js";
import { errorTypeOf } from "./errorTypeOf.js";

/**
 * Writes one frame's record at `at` in `bytes` (see canRecordLayout for the layout). Every
 * byte of the record is written, padding included, so block buffers are reused uncleared.
 */
export function encodeCanRecord(
  frame: CanFrame,
  busChannel: number,
  seconds: number,
  bytes: Uint8Array,
  view: DataView,
  at: number,
  recordBytes: number,
): void {
  view.setFloat64(at + CAN_RECORD.timestamp, seconds, true);
  bytes[at + CAN_RECORD.busChannel] = busChannel;
  // ID's top three bits share byte 12 with IDE.
  const id = (frame.id & CAN_EFF_MASK) >>> 0;
  view.setUint32(at + CAN_RECORD.id, frame.extended ? (id | (IDE_BIT << 24)) >>> 0 : id, true);
  bytes[at + CAN_RECORD.flags] =
    (frame.dlc & 0x0f) |
    (frame.dir === "tx" ? CAN_FLAG.dir : 0) |
    (frame.fd ? CAN_FLAG.edl : 0) |
    (frame.brs ? CAN_FLAG.brs : 0) |
    (frame.esi ? CAN_FLAG.esi : 0);
  bytes[at + CAN_RECORD.dataLength] = frame.data.length;
  bytes[at + CAN_RECORD.errorType] = frame.error ? errorTypeOf(frame) : 0;
  if (recordBytes <= CAN_RECORD.dataBytes) return;

  const dataAt = at + CAN_RECORD.dataBytes;
  bytes.set(frame.data, dataAt);
  bytes.fill(0, dataAt + frame.data.length, at + recordBytes);
}
