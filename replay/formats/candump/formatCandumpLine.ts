import type { CanFrame } from "../../../drivers/can/CanFrame.js";

const HEX = "0123456789ABCDEF";
const CAN_ERR_FLAG = 0x20000000;

/** Upper-case hex of the bytes, two digits each, as candump prints data. */
export function hexBytes(data: Uint8Array): string {
  let s = "";
  for (const byte of data) s += HEX[byte >> 4]! + HEX[byte & 15]!;
  return s;
}

/**
 * `<sec>.<frac>` of an epoch-nanosecond time. With 6 decimals the time is rounded to the
 * microsecond, halves up (candump itself prints a timeval, so it never has to round).
 */
export function formatCandumpTime(absTimeNs: bigint, decimals: 6 | 9 = 6): string {
  if (absTimeNs < 0n) throw new RangeError(`candump cannot write negative time ${absTimeNs} ns`);
  const unit = decimals === 6 ? 1000n : 1n;
  const ticks = (absTimeNs + unit / 2n) / unit;
  const perSecond = decimals === 6 ? 1_000_000n : 1_000_000_000n;
  const frac = (ticks % perSecond).toString().padStart(decimals, "0");
  return `${ticks / perSecond}.${frac}`;
}

/** `<id>#...` part of a candump line, as can-utils' sprint_canframe writes it. */
export function formatCandumpFrame(frame: CanFrame): string {
  if (frame.error) {
    return `${(CAN_ERR_FLAG + frame.id).toString(16).toUpperCase().padStart(8, "0")}#` +
      classicData(frame);
  }
  const digits = frame.extended ? 8 : 3;
  const id = frame.id.toString(16).toUpperCase().padStart(digits, "0");
  if (frame.fd) {
    const flags = (frame.brs ? 1 : 0) | (frame.esi ? 2 : 0);
    return `${id}##${flags}${hexBytes(frame.data)}`;
  }
  if (frame.remote) return `${id}#R${remoteLength(frame.dlc)}`;
  return `${id}#${classicData(frame)}`;
}

function classicData(frame: CanFrame): string {
  const raw = frame.data.length === 8 && frame.dlc > 8 ? `_${HEX[frame.dlc]!}` : "";
  return hexBytes(frame.data) + raw;
}

/** candump omits a zero length; a DLC 9–15 is written as length 8 plus the raw DLC. */
function remoteLength(dlc: number): string {
  if (dlc === 0) return "";
  return dlc > 8 ? `8_${HEX[dlc]!}` : HEX[dlc]!;
}

/**
 * One `candump -l` line without the newline: `(<time>) <channel> <frame>`.
 * Throws a RangeError for a frame the format cannot carry, rather than writing a line that
 * reads back as something else.
 */
export function formatCandumpLine(frame: CanFrame, absTimeNs: bigint, decimals: 6 | 9 = 6): string {
  checkWritable(frame);
  return `(${formatCandumpTime(absTimeNs, decimals)}) ${frame.channel} ${formatCandumpFrame(frame)}`;
}

function checkWritable(frame: CanFrame): void {
  if (frame.channel.length === 0 || /\s/.test(frame.channel)) {
    throw new RangeError(`channel name "${frame.channel}" must be one word for candump`);
  }
  const max = frame.error || frame.extended ? 0x1fffffff : 0x7ff;
  if (!Number.isInteger(frame.id) || frame.id < 0 || frame.id > max) {
    throw new RangeError(`CAN ID ${frame.id} does not fit the frame's ID format`);
  }
  const maxData = frame.fd ? 64 : 8;
  if (frame.data.length > maxData) {
    throw new RangeError(`${frame.data.length} data bytes exceed ${maxData}`);
  }
}
