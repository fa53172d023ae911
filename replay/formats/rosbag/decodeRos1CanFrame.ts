import type { CanFrame } from "../../../drivers/can/CanFrame.js";

/** The ROS1 type name whose messages become CAN frames. */
export const ROS1_CAN_FRAME_TYPE = "can_msgs/Frame";

/**
 * Decodes a `can_msgs/Frame` in ROS1 serialization (little-endian, no padding):
 * `std_msgs/Header header` (uint32 seq, time stamp, string frame_id), uint32 id, bool is_rtr,
 * bool is_extended, bool is_error, uint8 dlc, uint8[8] data (a fixed array: no length prefix).
 *
 * The header stamp is not kept: the frame's time is the log's receive time (see the README).
 * Throws an Error saying what is wrong; the caller adds coordinates.
 */
export function decodeRos1CanFrame(data: Uint8Array, channel: string): CanFrame {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  need(view, 12, 4);
  const body = 16 + view.getUint32(12, true);
  need(view, body, 16);
  return canFrameFromFields(view, body, channel, true);
}

/**
 * The fields after the header, at `at`: shared with the CDR form, whose layout from `id` on is
 * the same once aligned.
 */
export function canFrameFromFields(
  view: DataView,
  at: number,
  channel: string,
  littleEndian: boolean,
): CanFrame {
  const remote = view.getUint8(at + 4) !== 0;
  const dlc = view.getUint8(at + 7);
  if (dlc > 15) throw new Error(`expected dlc 0–15, found ${dlc}`);
  const length = remote ? 0 : Math.min(dlc, 8);
  const start = view.byteOffset + at + 8;
  return {
    id: view.getUint32(at, littleEndian),
    extended: view.getUint8(at + 5) !== 0,
    fd: false,
    brs: false,
    esi: false,
    remote,
    error: view.getUint8(at + 6) !== 0,
    dlc,
    data: new Uint8Array(view.buffer.slice(start, start + length)),
    channel,
  };
}

function need(view: DataView, at: number, bytes: number): void {
  if (at + bytes > view.byteLength) {
    throw new Error(
      `can_msgs/Frame: expected ${bytes} bytes at ${at}, message has ${view.byteLength}`,
    );
  }
}
