import { deflateSync } from "node:zlib";
import type { ByteSource } from "../../../../replay/sources/ByteSource.js";

/** A link to another block of the builder (by its index), or a raw file offset. */
export type Link = { ref: number } | number;

interface PendingBlock {
  id: string;
  links: Link[];
  data: Uint8Array;
  /** Overrides the length field (unfinalized files, corrupt lengths). */
  length?: number;
}

/**
 * Builds MDF4 files field by field for tests: blocks are laid out in the order added, after
 * the 64-byte ID block, each 8-byte aligned; links name blocks by index.
 */
export class Mdf4Builder {
  readonly blocks: PendingBlock[] = [];
  magic = "MDF     ";
  version = 410;
  unfinFlags = 0;

  add(id: string, links: Link[], data: Uint8Array | number[] = [], length?: number):
    { ref: number } {
    const block: PendingBlock = { id, links, data: Uint8Array.from(data) };
    if (length !== undefined) block.length = length;
    this.blocks.push(block);
    return { ref: this.blocks.length - 1 };
  }

  offsets(): number[] {
    const out: number[] = [];
    let pos = 64;
    for (const b of this.blocks) {
      out.push(pos);
      pos += align8(24 + 8 * b.links.length + b.data.length);
    }
    out.push(pos);
    return out;
  }

  build(): Uint8Array {
    const offsets = this.offsets();
    const file = new Uint8Array(offsets[offsets.length - 1] as number);
    const view = new DataView(file.buffer);
    file.set(ascii(this.magic.padEnd(8)), 0);
    file.set(ascii(`${(this.version / 100).toFixed(2)}    `), 8);
    file.set(ascii("roadrig "), 16);
    view.setUint16(28, this.version, true);
    view.setUint16(60, this.unfinFlags, true);
    this.blocks.forEach((b, i) => {
      const at = offsets[i] as number;
      file.set(ascii(b.id), at);
      view.setBigUint64(at + 8, BigInt(b.length ?? 24 + 8 * b.links.length + b.data.length), true);
      view.setBigUint64(at + 16, BigInt(b.links.length), true);
      b.links.forEach((l, k) => {
        const target = typeof l === "number" ? l : (offsets[l.ref] as number);
        view.setBigUint64(at + 24 + 8 * k, BigInt(target), true);
      });
      file.set(b.data, at + 24 + 8 * b.links.length);
    });
    return file;
  }
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Little-endian fields: `u8`, `u16`, `u32`, `u64`, `f64`, in order. */
export function fields(...parts: [("u8" | "u16" | "u32" | "u64" | "f64" | "i16"), number | bigint][]):
  Uint8Array {
  const sizes = { u8: 1, u16: 2, i16: 2, u32: 4, u64: 8, f64: 8 };
  const total = parts.reduce((n, [t]) => n + sizes[t], 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  let at = 0;
  for (const [t, value] of parts) {
    if (t === "u8") v.setUint8(at, Number(value));
    if (t === "u16") v.setUint16(at, Number(value), true);
    if (t === "i16") v.setInt16(at, Number(value), true);
    if (t === "u32") v.setUint32(at, Number(value), true);
    if (t === "u64") v.setBigUint64(at, BigInt(value), true);
    if (t === "f64") v.setFloat64(at, Number(value), true);
    at += sizes[t];
  }
  return out;
}

export function hdData(startNs: bigint): Uint8Array {
  return fields(["u64", startNs], ["i16", 0], ["i16", 0], ["u8", 0], ["u8", 0], ["u8", 0],
    ["u8", 0], ["f64", 0], ["f64", 0]);
}

export function dgData(recIdSize: number): Uint8Array {
  return fields(["u8", recIdSize], ["u8", 0], ["u16", 0], ["u32", 0]);
}

export function cgData(recordId: number, cycles: number, flags: number, dataBytes: number):
  Uint8Array {
  return fields(["u64", recordId], ["u64", cycles], ["u16", flags], ["u16", 0], ["u32", 0],
    ["u32", dataBytes], ["u32", 0]);
}

export interface CnFields {
  type?: number;
  sync?: number;
  dataType?: number;
  bitOffset?: number;
  byteOffset: number;
  bitCount: number;
}

export function cnData(f: CnFields): Uint8Array {
  return fields(["u8", f.type ?? 0], ["u8", f.sync ?? 0], ["u8", f.dataType ?? 0],
    ["u8", f.bitOffset ?? 0], ["u32", f.byteOffset], ["u32", f.bitCount], ["u32", 0], ["u32", 0],
    ["u8", 0], ["u8", 0], ["u16", 0], ["f64", 0], ["f64", 0], ["f64", 0], ["f64", 0], ["f64", 0],
    ["f64", 0]);
}

export function text(s: string): Uint8Array {
  return Uint8Array.from([...Buffer.from(s, "utf8"), 0]);
}

/** CN links: next, composition, name, source, conversion, data, unit, comment. */
export function cnLinks(next: Link, name: Link, opts: { cc?: Link; data?: Link; comp?: Link } = {}):
  Link[] {
  return [next, opts.comp ?? 0, name, 0, opts.cc ?? 0, opts.data ?? 0, 0, 0];
}

export function ccLinear(factor: number, offset: number): Uint8Array {
  return fields(["u8", 1], ["u8", 0], ["u16", 0], ["u16", 0], ["u16", 2], ["f64", 0], ["f64", 0],
    ["f64", offset], ["f64", factor]);
}

export function dzData(org: Uint8Array, zipType: number, param: number, orgLength = org.length):
  Uint8Array {
  const packed = deflateSync(zipType === 1 ? transpose(org, param) : org);
  const head = fields(["u8", 0x44], ["u8", 0x54], ["u8", zipType], ["u8", 0], ["u32", param],
    ["u64", orgLength], ["u64", packed.length]);
  return Uint8Array.from([...head, ...packed]);
}

function transpose(data: Uint8Array, cols: number): Uint8Array {
  const rows = Math.floor(data.length / cols);
  const out = Uint8Array.from(data);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    out[c * rows + r] = data[r * cols + c] as number;
  }
  return out;
}

/** An in-memory ByteSource. */
export function memorySource(bytes: Uint8Array, name = "mem.mf4"): ByteSource {
  return {
    name,
    size: () => Promise.resolve(bytes.length),
    read: (offset, length) =>
      Promise.resolve(bytes.slice(offset, Math.min(bytes.length, offset + length))),
    close: () => Promise.resolve(),
  };
}
