import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import { readUint32 } from "./readUint32.js";

/** The ROS1 type name whose messages become CAN frames. */
export const ROS1_CAN_FRAME_TYPE = "can_msgs/Frame";

/** Bytes from `id` to the end of `data`: uint32, three bools, uint8, uint8[8]. */
const BODY_BYTES = 16;

/**
 * Decodes a `can_msgs/Frame` in ROS1 serialization (little-endian, no padding):
 * `std_msgs/Header header` (uint32 seq, time stamp, string frame_id), uint32 id, bool is_rtr,
 * bool is_extended, bool is_error, uint8 dlc, uint8[8] data (a fixed array: no length prefix).
 *
 * The header stamp is not kept: the frame's time is the log's receive time (see the README).
 * Throws an Error saying what is wrong; the caller adds coordinates.
 */
export function decodeRos1CanFrame(data: Uint8Array, channel: string): CanFrame {
  need(data, 12, 4);
  const body = 16 + readUint32(data, 12, true);
  need(data, body, BODY_BYTES);
  return canFrameFromFields(data, body, channel, true);
}

/**
 * The fields after the header, from `at` on; shared with the CDR form, whose layout from `id` on
 * is the same once aligned. The payload is a view into `bytes`, not a copy: frames come by the
 * million, and the message bytes they view are not reused.
 */
export function canFrameFromFields(
  bytes: Uint8Array,
  at: number,
  channel: string,
  littleEndian: boolean,
): CanFrame {
  const remote = bytes[at + 4] !== 0;
  const dlc = bytes[at + 7] as number;
  if (dlc > 15) throw new Error(`can_msgs/Frame: expected dlc 0–15, found ${dlc}`);
  const length = remote ? 0 : Math.min(dlc, 8);
  return {
    id: readUint32(bytes, at, littleEndian),
    extended: bytes[at + 5] !== 0,
    fd: false,
    brs: false,
    esi: false,
    remote,
    error: bytes[at + 6] !== 0,
    dlc,
    data: bytes.subarray(at + 8, at + 8 + length),
    channel,
  };
}

function need(data: Uint8Array, at: number, bytes: number): void {
  if (at + bytes > data.length) {
    throw new Error(`can_msgs/Frame: expected ${bytes} bytes at ${at}, message has ${data.length}`);
  }
}
