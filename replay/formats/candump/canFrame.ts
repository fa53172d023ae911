import type { CanFrame } from "../../../drivers/can/CanFrame.js";

/** Every frame built with the same field order, so that they all share one object shape. */
export function canFrame(
  id: number,
  extended: boolean,
  fd: boolean,
  brs: boolean,
  esi: boolean,
  remote: boolean,
  error: boolean,
  dlc: number,
  data: Uint8Array,
  channel: string,
  dir?: "rx" | "tx",
): CanFrame {
  const frame: CanFrame = { id, extended, fd, brs, esi, remote, error, dlc, data, channel };
  if (dir !== undefined) frame.dir = dir;
  return frame;
}
