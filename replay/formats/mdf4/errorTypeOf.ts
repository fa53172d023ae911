import type { CanFrame } from "../../../drivers/can/CanFrame.js";

/** ASAM bus logging CAN_ErrorFrame.ErrorType values. */
export const CAN_ERROR_TYPE = { unknown: 0, bit: 1, form: 2, stuff: 3, crc: 4, ack: 5 } as const;

// SocketCAN error-frame coding (linux/can/error.h): class bits in the id, details in data.
const CAN_ERR_PROT = 0x08;
const CAN_ERR_ACK = 0x20;
const CAN_ERR_PROT_BIT = 0x01;
const CAN_ERR_PROT_FORM = 0x02;
const CAN_ERR_PROT_STUFF = 0x04;
const CAN_ERR_PROT_LOC_CRC_SEQ = 0x08;

/**
 * The ASAM ErrorType a SocketCAN error frame amounts to. Tools that read only ErrorType get a
 * summary; the class and details themselves are kept in ID and DataBytes.
 */
export function errorTypeOf(frame: CanFrame): number {
  if (frame.id & CAN_ERR_ACK) return CAN_ERROR_TYPE.ack;
  if (!(frame.id & CAN_ERR_PROT)) return CAN_ERROR_TYPE.unknown;
  const type = frame.data[2] ?? 0;
  if (type & CAN_ERR_PROT_BIT) return CAN_ERROR_TYPE.bit;
  if (type & CAN_ERR_PROT_FORM) return CAN_ERROR_TYPE.form;
  if (type & CAN_ERR_PROT_STUFF) return CAN_ERROR_TYPE.stuff;
  if ((frame.data[3] ?? 0) === CAN_ERR_PROT_LOC_CRC_SEQ) return CAN_ERROR_TYPE.crc;
  return CAN_ERROR_TYPE.unknown;
}
