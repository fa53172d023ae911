import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";

/**
 * A small, independent MDF4 walker for the writer's tests: it follows the links a standard
 * tool would (HD → DG → CG → CN, dg_data through HL/DL/DZ/DT) without the production reader.
 */
export interface WalkedBlock {
  id: string;
  length: number;
  links: number[];
  data: Buffer;
}

export interface WalkedChannel {
  name: string;
  type: number;
  sync: number;
  dataType: number;
  bitOffset: number;
  byteOffset: number;
  bits: number;
  flags: number;
  unit: string | null;
  conversion: number;
  members: WalkedChannel[];
}

export interface WalkedGroup {
  acqName: string | null;
  recordIdSize: number;
  cycleCount: number;
  flags: number;
  pathSeparator: number;
  recordBytes: number;
  source: { name: string | null; type: number; busType: number } | null;
  channels: WalkedChannel[];
  /** Block ids met on the way from dg_data to the records, in order. */
  chain: string[];
  records: Buffer;
}

export function walkMdf4(path: string): { file: Buffer; startNs: bigint; groups: WalkedGroup[] } {
  const file = readFileSync(path);
  const hd = block(file, 64);
  const groups: WalkedGroup[] = [];
  for (let dg = Number(hd.links[0]); dg !== 0; ) {
    const dgBlock = block(file, dg);
    const cg = block(file, dgBlock.links[1] ?? 0);
    groups.push(walkGroup(file, dgBlock, cg));
    dg = dgBlock.links[0] ?? 0;
  }
  return { file, startNs: hd.data.readBigUInt64LE(0), groups };
}

export function block(file: Buffer, offset: number): WalkedBlock {
  const id = file.toString("latin1", offset, offset + 4);
  const length = Number(file.readBigUInt64LE(offset + 8));
  const count = Number(file.readBigUInt64LE(offset + 16));
  const links: number[] = [];
  for (let i = 0; i < count; i++) links.push(Number(file.readBigUInt64LE(offset + 24 + i * 8)));
  return { id, length, links, data: file.subarray(offset + 24 + count * 8, offset + length) };
}

export function text(file: Buffer, offset: number): string | null {
  if (offset === 0) return null;
  const data = block(file, offset).data;
  const end = data.indexOf(0);
  return data.toString("utf8", 0, end < 0 ? data.length : end);
}

function walkGroup(file: Buffer, dg: WalkedBlock, cg: WalkedBlock): WalkedGroup {
  const chain: string[] = [];
  const source = cg.links[3] ? block(file, cg.links[3]) : null;
  return {
    acqName: text(file, cg.links[2] ?? 0),
    recordIdSize: dg.data[0] ?? -1,
    cycleCount: Number(cg.data.readBigUInt64LE(8)),
    flags: cg.data.readUInt16LE(16),
    pathSeparator: cg.data.readUInt16LE(18),
    recordBytes: cg.data.readUInt32LE(24),
    source: source && {
      name: text(file, source.links[0] ?? 0),
      type: source.data[0] ?? -1,
      busType: source.data[1] ?? -1,
    },
    channels: walkChannels(file, cg.links[1] ?? 0),
    chain,
    records: dg.links[2] ? dataOf(file, dg.links[2], chain) : Buffer.alloc(0),
  };
}

function walkChannels(file: Buffer, first: number): WalkedChannel[] {
  const channels: WalkedChannel[] = [];
  for (let cn = first; cn !== 0; ) {
    const b = block(file, cn);
    const composition = b.links[1] ?? 0;
    channels.push({
      name: text(file, b.links[2] ?? 0) ?? "",
      type: b.data[0] ?? -1,
      sync: b.data[1] ?? -1,
      dataType: b.data[2] ?? -1,
      bitOffset: b.data[3] ?? -1,
      byteOffset: b.data.readUInt32LE(4),
      bits: b.data.readUInt32LE(8),
      flags: b.data.readUInt32LE(12),
      unit: text(file, b.links[6] ?? 0),
      conversion: b.links[4] ?? 0,
      members: composition ? walkChannels(file, composition) : [],
    });
    cn = b.links[0] ?? 0;
  }
  return channels;
}

function dataOf(file: Buffer, offset: number, chain: string[]): Buffer {
  const b = block(file, offset);
  chain.push(b.id);
  switch (b.id) {
    case "##DT":
      return b.data;
    case "##DZ":
      return inflateDz(b.data);
    case "##HL":
      return dataOf(file, b.links[0] ?? 0, chain);
    case "##DL": {
      const count = b.data.readUInt32LE(4);
      const parts = b.links.slice(1, 1 + count).map((link) => dataOf(file, link, chain));
      if (b.links[0]) parts.push(dataOf(file, b.links[0], chain));
      return Buffer.concat(parts);
    }
    default:
      throw new Error(`unexpected ${b.id} at ${offset}`);
  }
}

function inflateDz(data: Buffer): Buffer {
  const zipType = data[2];
  const columns = data.readUInt32LE(4);
  const orgLength = Number(data.readBigUInt64LE(8));
  const packedLength = Number(data.readBigUInt64LE(16));
  const raw = inflateSync(data.subarray(24, 24 + packedLength));
  if (raw.length !== orgLength) throw new Error(`DZ inflates to ${raw.length}, not ${orgLength}`);
  if (zipType === 0) return raw;
  const rows = Math.floor(orgLength / columns);
  const out = Buffer.alloc(orgLength);
  for (let j = 0; j < columns; j++) {
    for (let r = 0; r < rows; r++) out[r * columns + j] = raw[j * rows + r] as number;
  }
  raw.copy(out, rows * columns, rows * columns);
  return out;
}
