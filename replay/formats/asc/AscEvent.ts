import type { CanFrame } from "../../../drivers/can/CanFrame.js";

/**
 * One event line of an ASC trigger block: a frame, or something else that is counted under
 * its kind (`Start of measurement`, `Statistic`, `Status`, `J1939TP`...).
 */
export type AscEvent =
  | {
      kind: "frame";
      /** Time as written, in nanoseconds. */
      timeNs: number;
      frame: CanFrame;
      /** A classic `d` line carrying more than 8 bytes, read as a CAN FD frame. */
      fdPayloadInClassicLine: boolean;
    }
  | { kind: "other"; timeNs: number; event: string };
