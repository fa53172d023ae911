import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import { canFrameFromFields } from "../rosbag/decodeRos1CanFrame.js";
import { readUint32 } from "../rosbag/readUint32.js";

/** The ROS 2 type name whose messages become CAN frames. */
export const ROS2_CAN_FRAME_TYPE = "can_msgs/msg/Frame";

/** Encapsulation kinds (second byte) whose layout for this type is plain CDR, by endianness. */
const PLAIN_KINDS = new Map([
  [0x00, false], // CDR_BE
  [0x01, true], // CDR_LE
  [0x06, false], // PLAIN_CDR2_BE: no 8-byte members here, so its 4-byte alignment cap is moot
  [0x07, true], // PLAIN_CDR2_LE
]);

/**
 * Decodes a ROS 2 `can_msgs/msg/Frame` in CDR: a 4-byte encapsulation header, then
 * `std_msgs/msg/Header` (int32 sec, uint32 nanosec, string frame_id as a uint32 length with its
 * NUL), then, aligned to 4 from the end of the encapsulation header, uint32 id, bool is_rtr,
 * bool is_extended, bool is_error, uint8 dlc, uint8[8] data (fixed: no length prefix).
 *
 * The header stamp is not kept: the frame's time is the log time (see the README).
 * Throws an Error saying what is wrong; the caller adds coordinates.
 */
export function decodeCdrCanFrame(data: Uint8Array, channel: string): CanFrame {
  const littleEndian = data[0] === 0 ? PLAIN_KINDS.get(data[1] ?? -1) : undefined;
  if (littleEndian === undefined) {
    const found = `0x${hex(data[0])} 0x${hex(data[1])}`;
    throw new Error(`can_msgs/msg/Frame: expected a plain CDR encapsulation, found ${found}`);
  }
  // CDR aligns from the end of the 4-byte encapsulation header.
  need(data, 4 + 8, 4);
  const afterFrameId = 12 + readUint32(data, 4 + 8, littleEndian);
  const body = 4 + ((afterFrameId + 3) & ~3);
  need(data, body, 16);
  return canFrameFromFields(data, body, channel, littleEndian);
}

function need(data: Uint8Array, at: number, bytes: number): void {
  if (at + bytes > data.length) {
    throw new Error(
      `can_msgs/msg/Frame: expected ${bytes} bytes at ${at}, message has ${data.length}`,
    );
  }
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, "0");
}
