import { lengthToDlc, CAN_EFF_MASK, type CanFrame } from "../CanFrame.js";
import type { AddonMessage } from "./RawChannel.js";

/** SocketCAN's `CAN_ERR_FLAG`: the addon passes `id` into `can_id` unmasked. */
const CAN_ERR_FLAG = 0x20000000;
const CAN_ERR_DLC = 8;

/**
 * The addon takes the DLC from the buffer length, so a remote frame carries `dlc` zero bytes
 * (the kernel sends none of them, only the DLC). An error frame is written as SocketCAN reports
 * one: `CAN_ERR_FLAG` with the error class in `can_id` and eight data bytes.
 */
export function toAddonMessage(frame: CanFrame): AddonMessage {
  if (frame.error) {
    const data = Buffer.alloc(CAN_ERR_DLC);
    data.set(frame.data.subarray(0, CAN_ERR_DLC));
    return { id: CAN_ERR_FLAG | (frame.id & CAN_EFF_MASK), ext: false, rtr: false, data };
  }
  const data = frame.remote ? Buffer.alloc(Math.min(frame.dlc, 8)) : Buffer.from(frame.data);
  return { id: frame.id, ext: frame.extended, rtr: frame.remote, data, fd_brs: frame.brs };
}

/**
 * True when the addon cannot write the frame exactly: it has no field for a classic DLC of
 * 9–15 (the frame goes out with DLC 8) nor for the ESI flag (it goes out clear).
 */
export function isInexactForAddon(frame: CanFrame): boolean {
  if (frame.error) return false;
  return frame.fd ? frame.esi : frame.dlc > 8;
}

/**
 * The addon does not say whether a received frame was CAN FD: a payload over 8 bytes is
 * certainly FD, a shorter one is taken as classic. Nor does it pass BRS, ESI or a classic
 * DLC over 8.
 */
export function fromAddonMessage(message: AddonMessage, channel: string): CanFrame {
  const data = new Uint8Array(message.data);
  const fd = data.length > 8;
  return {
    id: message.id,
    extended: message.ext === true,
    fd,
    brs: false,
    esi: false,
    remote: message.rtr === true,
    error: message.err === true,
    dlc: lengthToDlc(data.length),
    data,
    channel,
  };
}
