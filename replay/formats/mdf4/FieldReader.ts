import { convert, type Conversion } from "./Conversion.js";
import { rawReader } from "./ChannelReader.js";
import { CN_VIRTUAL_DATA, CN_VIRTUAL_MASTER, type Mdf4Channel } from "./Mdf4Structure.js";

/** A numeric field of a record after conversion; `index` is the record's number in its group. */
export type FieldReader = (bytes: Uint8Array, view: DataView, pos: number, index: number) =>
  number;

/**
 * Physical numeric value of a channel. Virtual channels (cn_type 3 and 6) take the record index
 * as raw value; loggers use that with a factor-0 linear conversion to store a constant per group
 * (BusChannel, Dir, IDE in the per-bus layout), which is folded here into a constant.
 */
export function fieldReader(ch: Mdf4Channel): FieldReader | undefined {
  const conv = ch.conversion;
  if (ch.type === CN_VIRTUAL_DATA || ch.type === CN_VIRTUAL_MASTER) {
    if (conv.type === "linear" && conv.factor === 0) {
      const constant = conv.offset;
      return () => constant;
    }
    return (_b, _v, _p, index) => toNumber(convert(conv, index));
  }
  const raw = rawReader(ch);
  if (raw === undefined) return undefined;
  if (conv.type === "identity") return (b, v, p) => Number(raw(b, v, p));
  if (conv.type === "linear") {
    const { factor, offset } = conv;
    return (b, v, p) => Number(raw(b, v, p)) * factor + offset;
  }
  return (b, v, p) => toNumber(convert(conv, Number(raw(b, v, p))));
}

/** Constant value of a field that needs no record, else undefined. */
export function constantOf(ch: Mdf4Channel): number | undefined {
  const conv: Conversion = ch.conversion;
  const virtual = ch.type === CN_VIRTUAL_DATA || ch.type === CN_VIRTUAL_MASTER;
  return virtual && conv.type === "linear" && conv.factor === 0 ? conv.offset : undefined;
}

function toNumber(v: number | string): number {
  return typeof v === "number" ? v : Number.NaN;
}
