/** A can_msgs/Frame's fields, as a test writes them. */
export interface CanFrameFields {
  seq?: number;
  sec?: number;
  nsec?: number;
  frameId?: string;
  id: number;
  isRtr?: boolean;
  isExtended?: boolean;
  isError?: boolean;
  dlc: number;
  data: number[];
}

/** can_msgs/Frame in ROS1 serialization. */
export function ros1CanFrame(f: CanFrameFields): Uint8Array {
  const frameId = new TextEncoder().encode(f.frameId ?? "can0");
  const out = new Uint8Array(16 + frameId.length + 16);
  const view = new DataView(out.buffer);
  view.setUint32(0, f.seq ?? 0, true);
  view.setUint32(4, f.sec ?? 0, true);
  view.setUint32(8, f.nsec ?? 0, true);
  view.setUint32(12, frameId.length, true);
  out.set(frameId, 16);
  writeBody(view, 16 + frameId.length, f, true);
  return out;
}

/** can_msgs/msg/Frame in CDR, little- or big-endian. */
export function cdrCanFrame(f: CanFrameFields, littleEndian = true): Uint8Array {
  const frameId = new TextEncoder().encode(`${f.frameId ?? "can0"}\0`);
  const body = (12 + frameId.length + 3) & ~3;
  const out = new Uint8Array(4 + body + 16);
  out[1] = littleEndian ? 0x01 : 0x00;
  const view = new DataView(out.buffer, 4);
  view.setInt32(0, f.sec ?? 0, littleEndian);
  view.setUint32(4, f.nsec ?? 0, littleEndian);
  view.setUint32(8, frameId.length, littleEndian);
  out.set(frameId, 4 + 12);
  writeBody(view, body, f, littleEndian);
  return out;
}

function writeBody(view: DataView, at: number, f: CanFrameFields, littleEndian: boolean): void {
  view.setUint32(at, f.id, littleEndian);
  view.setUint8(at + 4, f.isRtr === true ? 1 : 0);
  view.setUint8(at + 5, f.isExtended === true ? 1 : 0);
  view.setUint8(at + 6, f.isError === true ? 1 : 0);
  view.setUint8(at + 7, f.dlc);
  f.data.slice(0, 8).forEach((b, i) => view.setUint8(at + 8 + i, b));
}
