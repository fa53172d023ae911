import { lengthToDlc, type CanFrame } from "../CanFrame.js";
import type { AddonMessage } from "./RawChannel.js";

/**
 * The addon takes the DLC from the buffer length, so a remote frame carries `dlc` zero bytes
 * (the kernel sends none of them, only the DLC). A classic DLC of 9–15 cannot be expressed
 * through the addon: such a frame goes out with DLC 8.
 */
export function toAddonMessage(frame: CanFrame): AddonMessage {
  const data = frame.remote ? Buffer.alloc(Math.min(frame.dlc, 8)) : Buffer.from(frame.data);
  return { id: frame.id, ext: frame.extended, rtr: frame.remote, data, fd_brs: frame.brs };
}

/**
 * The addon does not say whether a received frame was CAN FD: a payload over 8 bytes is
 * certainly FD, a shorter one is taken as classic.
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

