/**
 * One CAN or CAN FD frame, as every driver, log reader and output in roadrig sees it.
 *
 * `dlc` is the raw 4-bit DLC code. For a classic data frame it is normally `data.length`, but a
 * classic frame may carry a DLC of 9–15 with 8 bytes (SocketCAN's `len8_dlc`), and a remote frame
 * carries a DLC with no data; keeping the code lets those frames replay exactly.
 */
export interface CanFrame {
  /** 11-bit or 29-bit identifier; for an error frame, the error class bits. */
  id: number;
  /** 29-bit identifier. */
  extended: boolean;
  /** CAN FD frame (FDF). */
  fd: boolean;
  /** Bit rate switch (FD only). */
  brs: boolean;
  /** Error state indicator (FD only). */
  esi: boolean;
  /** Remote transmission request (classic only). */
  remote: boolean;
  /** Error frame: `id` holds the error class, `data` the details, as SocketCAN reports them. */
  error: boolean;
  /** Raw DLC code, 0–15. */
  dlc: number;
  /** Payload, 0–8 bytes classic, 0–64 bytes FD. */
  data: Uint8Array;
  /** Bus the frame was seen on or is meant for, e.g. `can0`. */
  channel: string;
  /** Direction as recorded, where the log says. */
  dir?: "rx" | "tx";
}

const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64] as const;

/** Payload length for a DLC code: CAN FD's table for FD frames, at most 8 for classic. */
export function dlcToLength(dlc: number, fd: boolean): number {
  if (!Number.isInteger(dlc) || dlc < 0 || dlc > 15) throw new RangeError(`DLC ${dlc} is not 0–15`);
  return fd ? (FD_LENGTHS[dlc] as number) : Math.min(dlc, 8);
}

/** Smallest DLC code whose FD length holds `length` bytes; classic lengths map 1:1. */
export function lengthToDlc(length: number): number {
  if (length <= 8) return length;
  const dlc = FD_LENGTHS.findIndex((l) => l >= length);
  if (dlc < 0) throw new RangeError(`payload of ${length} bytes exceeds CAN FD's 64`);
  return dlc;
}

/** True when `length` is a payload length a CAN FD frame can have. */
export function isFdLength(length: number): boolean {
  return (FD_LENGTHS as readonly number[]).includes(length);
}

export const CAN_SFF_MASK = 0x7ff;
export const CAN_EFF_MASK = 0x1fffffff;

/** A data frame with defaults filled in: classic, 11-bit unless the ID needs 29 bits. */
export function makeFrame(
  id: number,
  data: Uint8Array,
  fields: Partial<Omit<CanFrame, "id" | "data">> = {},
): CanFrame {
  const fd = fields.fd ?? data.length > 8;
  return {
    id,
    extended: fields.extended ?? id > CAN_SFF_MASK,
    fd,
    brs: fields.brs ?? false,
    esi: fields.esi ?? false,
    remote: fields.remote ?? false,
    error: fields.error ?? false,
    dlc: fields.dlc ?? lengthToDlc(data.length),
    data,
    channel: fields.channel ?? "can0",
    ...(fields.dir ? { dir: fields.dir } : {}),
  };
}
