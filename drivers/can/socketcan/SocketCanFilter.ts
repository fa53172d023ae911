import type { AddonFilter } from "./RawChannel.js";

/**
 * A kernel receive filter (CAN_RAW_FILTER): a frame passes when `received & mask` equals
 * `id & mask` (or differs, with `invert`). `extended` picks 29-bit frames, else 11-bit ones:
 * the frame format is always part of the match.
 */
export interface SocketCanFilter {
  id: number;
  mask: number;
  extended?: boolean;
  invert?: boolean;
}

const CAN_EFF_FLAG = 0x80000000;
const CAN_RTR_FLAG = 0x40000000;

/** The filter as `struct can_filter` holds it, flags in the top bits. */
export function toAddonFilter(filter: SocketCanFilter): AddonFilter {
  const format = filter.extended === true ? CAN_EFF_FLAG : 0;
  // Matching on the EFF flag keeps an 11-bit filter from passing 29-bit IDs with the same
  // low bits; RTR is left out of the mask so remote frames of a passing ID pass too.
  const mask = (filter.mask & ~CAN_RTR_FLAG & ~CAN_EFF_FLAG) | CAN_EFF_FLAG;
  return {
    id: ((filter.id & ~CAN_EFF_FLAG & ~CAN_RTR_FLAG) | format) >>> 0,
    mask: mask >>> 0,
    ...(filter.invert === true ? { invert: true } : {}),
  };
}
