import type { Block, BlockReader, Origin } from "./BlockReader.js";
import { UnsupportedError } from "../FormatError.js";
import { readConversion, type Conversion } from "./Conversion.js";
import { readText } from "./readText.js";

/** cn_type values of the spec. */
export const CN_FIXED = 0;
export const CN_VLSD = 1;
export const CN_MASTER = 2;
export const CN_VIRTUAL_MASTER = 3;
export const CN_VIRTUAL_DATA = 6;

/** cg_flags bits. */
export const CG_VLSD = 1;
export const CG_BUS_EVENT = 2;

export interface Mdf4Channel {
  name: string;
  offset: number;
  /** cn_type, cn_sync_type, cn_data_type as stored. */
  type: number;
  syncType: number;
  dataType: number;
  bitOffset: number;
  byteOffset: number;
  bitCount: number;
  flags: number;
  invalBitPos: number;
  conversion: Conversion;
  unit: string;
  /** cn_data: SD/DL/DZ/HL of VLSD values, or a VLSD channel group (##CG). */
  dataLink: number;
  /** Structure members (composition by CN); empty otherwise. */
  members: Mdf4Channel[];
  /** A CA block in cn_composition: arrays are described, not decoded. */
  isArray: boolean;
}

export interface Mdf4ChannelGroup {
  /** Position of the group over the whole file (DG order, then CG order). */
  index: number;
  dataGroup: Mdf4DataGroup;
  offset: number;
  name: string;
  recordId: number;
  cycleCount: number;
  flags: number;
  dataBytes: number;
  invalBytes: number;
  channels: Mdf4Channel[];
  sourceName: string;
  /** si_bus_type of the acquisition source (2 = CAN), -1 without one. */
  busType: number;
}

export interface Mdf4DataGroup {
  index: number;
  offset: number;
  recordIdSize: number;
  dataLink: number;
  groups: Mdf4ChannelGroup[];
}

// Bounds that no real file reaches; they stop corrupt chains from running away.
const MAX_CHAIN = 1_000_000;
const MAX_NESTING = 8;

/** Walks a `next` chain of blocks with a cycle guard. */
export async function* walkChain(
  blocks: BlockReader,
  first: number,
  id: string,
  from: Origin,
  minData: number,
): AsyncGenerator<Block> {
  const seen = new Set<number>();
  let link = first;
  let origin = from;
  while (link !== 0) {
    if (seen.has(link)) {
      throw blocks.fail(id, link, `expected a ${id} chain without cycles, found block ${link} twice`);
    }
    if (seen.size >= MAX_CHAIN) throw blocks.fail(id, link, `expected at most ${MAX_CHAIN} blocks`);
    seen.add(link);
    const block = await blocks.block(link, [id], origin, minData);
    yield block;
    origin = { where: id, offset: link };
    link = block.links[0] ?? 0;
  }
}

export async function readDataGroups(blocks: BlockReader, first: number):
  Promise<Mdf4DataGroup[]> {
  const out: Mdf4DataGroup[] = [];
  let cgIndex = 0;
  for await (const dg of walkChain(blocks, first, "##DG", { where: "##HD", offset: 64 }, 1)) {
    const group: Mdf4DataGroup = {
      index: out.length,
      offset: dg.offset,
      recordIdSize: dg.view.getUint8(0),
      dataLink: dg.links[2] ?? 0,
      groups: [],
    };
    if (![0, 1, 2, 4, 8].includes(group.recordIdSize)) {
      throw blocks.fail("##DG", dg.offset,
        `expected dg_rec_id_size 0, 1, 2, 4 or 8, found ${group.recordIdSize}`);
    }
    const here = { where: "##DG", offset: dg.offset };
    for await (const cg of walkChain(blocks, dg.links[1] ?? 0, "##CG", here, 32)) {
      group.groups.push(await readChannelGroup(blocks, cg, group, cgIndex++));
    }
    out.push(group);
  }
  return out;
}

async function readChannelGroup(
  blocks: BlockReader,
  cg: Block,
  dg: Mdf4DataGroup,
  index: number,
): Promise<Mdf4ChannelGroup> {
  const here = { where: "##CG", offset: cg.offset };
  const v = cg.view;
  const group: Mdf4ChannelGroup = {
    index,
    dataGroup: dg,
    offset: cg.offset,
    name: await readText(blocks, cg.links[2] ?? 0, here),
    recordId: Number(v.getBigUint64(0, true)),
    cycleCount: Number(v.getBigUint64(8, true)),
    flags: v.getUint16(16, true),
    dataBytes: v.getUint32(24, true),
    invalBytes: v.getUint32(28, true),
    channels: [],
    sourceName: "",
    busType: -1,
  };
  const si = cg.links[3] ?? 0;
  if (si !== 0) {
    const block = await blocks.block(si, ["##SI"], here, 3);
    group.sourceName = await readText(blocks, block.links[0] ?? 0, { where: "##SI", offset: si });
    group.busType = block.view.getUint8(1);
  }
  if ((group.flags & CG_VLSD) === 0) {
    group.channels = await readChannels(blocks, cg.links[1] ?? 0, here, 0);
  }
  return group;
}

async function readChannels(blocks: BlockReader, first: number, from: Origin, depth: number):
  Promise<Mdf4Channel[]> {
  if (depth > MAX_NESTING) {
    throw blocks.fail(from.where, from.offset, `expected structures nested at most ${MAX_NESTING}` +
      " deep, found deeper (a cycle?)");
  }
  const out: Mdf4Channel[] = [];
  for await (const cn of walkChain(blocks, first, "##CN", from, 72)) {
    out.push(await readChannel(blocks, cn, depth));
  }
  return out;
}

async function readChannel(blocks: BlockReader, cn: Block, depth: number): Promise<Mdf4Channel> {
  const here = { where: "##CN", offset: cn.offset };
  const v = cn.view;
  const link = (i: number): number => cn.links[i] ?? 0;
  const channel: Mdf4Channel = {
    name: await readText(blocks, link(2), here),
    offset: cn.offset,
    type: v.getUint8(0),
    syncType: v.getUint8(1),
    dataType: v.getUint8(2),
    bitOffset: v.getUint8(3),
    byteOffset: v.getUint32(4, true),
    bitCount: v.getUint32(8, true),
    flags: v.getUint32(12, true),
    invalBitPos: v.getUint32(16, true),
    conversion: await readConversion(blocks, link(4), here),
    unit: await readText(blocks, link(6), here),
    dataLink: link(5),
    members: [],
    isArray: false,
  };
  if (channel.type > 6) {
    throw new UnsupportedError(blocks.file, "##CN", cn.offset, `cn_type ${channel.type}`);
  }
  const composition = link(1);
  if (composition !== 0) {
    const head = await blocks.header(composition, ["##CN", "##CA"], here);
    if (head.id === "##CA") channel.isArray = true;
    else channel.members = await readChannels(blocks, composition, here, depth + 1);
  }
  return channel;
}

/** Every channel of a group, structure members after their parent (describe order). */
export function flattenChannels(channels: readonly Mdf4Channel[]): Mdf4Channel[] {
  const out: Mdf4Channel[] = [];
  for (const c of channels) {
    out.push(c);
    out.push(...flattenChannels(c.members));
  }
  return out;
}
