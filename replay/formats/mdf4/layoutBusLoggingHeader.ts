import { BlockLayout, type BlockRef } from "./BlockLayout.js";
import {
  CAN_GROUPS,
  CN_DATA_TYPE,
  memberChannels,
  recordBytes,
  type CanGroupName,
  type DataBytesSize,
  type MemberChannel,
} from "./canRecordLayout.js";
import { dataSection, linkOffset } from "./encodeBlock.js";
import { ID_BLOCK_BYTES } from "./encodeIdBlock.js";
import { encodeText } from "./encodeText.js";

export interface HeaderOptions {
  startNs: bigint;
  program: string;
  comment: string;
  dataBytes: DataBytesSize;
}

/** Where close() patches the header once the data is written. */
export interface HeaderPatches {
  /** dg_data link of each group's DG. */
  dataLinkAt: Record<CanGroupName, number>;
  /** cg_cycle_count of each group's CG. */
  cycleCountAt: Record<CanGroupName, number>;
  /** cn_cc_conversion link of each group's BusChannel member. */
  busChannelCcAt: Record<CanGroupName, number>;
}

const CN_TYPE = { fixed: 0, master: 2 } as const;
const CN_SYNC_TIME = 1;
const CN_FLAG_BUS_EVENT = 0x400;
const CG_FLAG_BUS_EVENT = 0x02;
const CG_FLAG_PLAIN_BUS_EVENT = 0x04;
const SI_TYPE_BUS = 2;
const SI_BUS_CAN = 2;
const PATH_SEPARATOR = ".".charCodeAt(0);

/**
 * Every block before the data: HD, FH, the CAN source (SI) and, per frame type, a DG holding one
 * CG with the Timestamp master and the structure channel with its members. All sizes are known
 * up front, so this is written once at the start and only patched at close.
 */
export function layoutBusLoggingHeader(options: HeaderOptions): {
  bytes: Uint8Array;
  patches: HeaderPatches;
} {
  // HD must follow the ID block directly, so its comment is placed after it.
  const layout = new BlockLayout(ID_BLOCK_BYTES);
  const firstDg = layout.ref();
  const fh = layout.ref();
  const hdMd = layout.ref();
  layout.add("##HD", [firstDg, fh, null, null, null, hdMd], hdData(options.startNs));
  layout.addEncoded(encodeText(hdComment(options), "##MD"), hdMd);
  layout.add("##FH", [null, md(layout, fhComment(options.program))], fhData(options.startNs), fh);
  const source = layout.add("##SI", [text(layout, "CAN"), text(layout, "CAN"), null], siData());

  const dgs: BlockRef[] = CAN_GROUPS.map((_, i) => (i === 0 ? firstDg : layout.ref()));
  const patches = { dataLinkAt: {}, cycleCountAt: {}, busChannelCcAt: {} } as HeaderPatches;
  CAN_GROUPS.forEach((group, i) => {
    const cg = layout.ref();
    const dgLinks = [dgs[i + 1] ?? null, cg, null, null];
    const dg = layout.add("##DG", dgLinks, new Uint8Array(8), dgs[i]);
    patches.dataLinkAt[group] = linkOffset(dg.offset, 2);

    const channels = layoutChannels(layout, group, options.dataBytes);
    const cgLinks = [null, channels.first, text(layout, group), source, null, null];
    layout.add("##CG", cgLinks, cgData(recordBytes(group, options.dataBytes)), cg);
    patches.cycleCountAt[group] = linkOffset(cg.offset, 6) + 8;
    patches.busChannelCcAt[group] = linkOffset(channels.busChannel.offset, 4);
  });
  return { bytes: layout.bytes(), patches };
}

/** The Timestamp master, then the structure channel whose composition lists the members. */
function layoutChannels(
  layout: BlockLayout,
  group: CanGroupName,
  dataBytes: DataBytesSize,
): { first: BlockRef; busChannel: BlockRef } {
  const members = memberChannels(group, dataBytes);
  const refs = members.map(() => layout.ref());
  members.forEach((member, i) => {
    const name = text(layout, `${group}.${member.name}`);
    const links = [refs[i + 1] ?? null, null, name, null, null, null, null, null];
    layout.add("##CN", links, cnData(CN_TYPE.fixed, 0, member, CN_FLAG_BUS_EVENT), refs[i]);
  });

  const structure: MemberChannel = {
    name: group,
    byteOffset: 8,
    bitOffset: 0,
    bits: (recordBytes(group, dataBytes) - 8) * 8,
    dataType: CN_DATA_TYPE.byteArray,
  };
  const structLinks = [null, refs[0] ?? null, text(layout, group), null, null, null, null, null];
  const struct = layout.add(
    "##CN",
    structLinks,
    cnData(CN_TYPE.fixed, 0, structure, CN_FLAG_BUS_EVENT),
  );

  const timestamp: MemberChannel = {
    name: "Timestamp",
    byteOffset: 0,
    bitOffset: 0,
    bits: 64,
    dataType: CN_DATA_TYPE.floatLe,
  };
  const unit = text(layout, "s");
  const timeLinks = [struct, null, text(layout, "Timestamp"), null, null, null, unit, null];
  const first = layout.add(
    "##CN",
    timeLinks,
    cnData(CN_TYPE.master, CN_SYNC_TIME, timestamp, 0),
  );
  return { first, busChannel: refs[0] as BlockRef };
}

function text(layout: BlockLayout, value: string): BlockRef {
  return layout.addEncoded(encodeText(value));
}

function md(layout: BlockLayout, xml: string): BlockRef {
  return layout.addEncoded(encodeText(xml, "##MD"));
}

function hdData(startNs: bigint): Uint8Array {
  // start time (UTC: time flags 0), tz and dst offsets, flags, start angle and distance.
  const { bytes, view } = dataSection(32);
  view.setBigUint64(0, startNs, true);
  return bytes;
}

function fhData(startNs: bigint): Uint8Array {
  const { bytes, view } = dataSection(16);
  view.setBigUint64(0, startNs, true);
  return bytes;
}

function siData(): Uint8Array {
  const { bytes } = dataSection(8);
  bytes[0] = SI_TYPE_BUS;
  bytes[1] = SI_BUS_CAN;
  return bytes;
}

function cgData(bytesPerRecord: number): Uint8Array {
  // record id, cycle count (patched at close), flags, path separator, reserved, data/inval bytes
  const { bytes, view } = dataSection(32);
  view.setUint16(16, CG_FLAG_BUS_EVENT | CG_FLAG_PLAIN_BUS_EVENT, true);
  view.setUint16(18, PATH_SEPARATOR, true);
  view.setUint32(24, bytesPerRecord, true);
  return bytes;
}

function cnData(type: number, sync: number, channel: MemberChannel, flags: number): Uint8Array {
  const { bytes, view } = dataSection(72);
  bytes[0] = type;
  bytes[1] = sync;
  bytes[2] = channel.dataType;
  bytes[3] = channel.bitOffset;
  view.setUint32(4, channel.byteOffset, true);
  view.setUint32(8, channel.bits, true);
  view.setUint32(12, flags, true);
  return bytes;
}

function hdComment(options: HeaderOptions): string {
  return `<HDcomment><TX>${escapeXml(options.comment)}</TX></HDcomment>`;
}

function fhComment(program: string): string {
  const tool = escapeXml(program);
  return (
    `<FHcomment><TX>created</TX><tool_id>${tool}</tool_id>` +
    `<tool_vendor>${tool}</tool_vendor><tool_version>0.1.0</tool_version></FHcomment>`
  );
}

function escapeXml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
