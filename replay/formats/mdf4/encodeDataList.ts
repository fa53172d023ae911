import { BlockLayout } from "./BlockLayout.js";
import type { ChainedBlock } from "./DataBlockChain.js";
import { dataSection } from "./encodeBlock.js";

/** Links per DL block; longer chains continue in the next DL (dl_dl_next). */
const LINKS_PER_DL = 1024;

/** HL zip_type codes, the same as the DZ blocks' under it. */
export type HlZipType = 0 | 1;

/**
 * The DL chain that lists one group's data blocks with their offsets in the record data, under
 * an HL when the blocks are DZ (tools use hl_zip_type to learn the compression without opening
 * a block). Laid out from `start`; returns the bytes and the block dg_data must link to.
 */
export function encodeDataList(
  start: number,
  blocks: readonly ChainedBlock[],
  zipType: HlZipType | null,
): { bytes: Uint8Array; first: number } {
  const layout = new BlockLayout(start);
  const firstDl = layout.ref();
  const hl = zipType === null ? null : layout.add("##HL", [firstDl], hlData(zipType));
  let target = firstDl;
  for (let i = 0; i < blocks.length; i += LINKS_PER_DL) {
    const part = blocks.slice(i, i + LINKS_PER_DL);
    const next = i + LINKS_PER_DL < blocks.length ? layout.ref() : null;
    const links = [next, ...part.map((b) => ({ offset: b.offset }))];
    layout.add("##DL", links, dlData(part), target);
    if (next !== null) target = next;
  }
  return { bytes: layout.bytes(), first: (hl ?? firstDl).offset };
}

function hlData(zipType: HlZipType): Uint8Array {
  // hl_flags (no equal length), hl_zip_type, reserved
  const { bytes } = dataSection(8);
  bytes[2] = zipType;
  return bytes;
}

function dlData(part: readonly ChainedBlock[]): Uint8Array {
  // dl_flags 0: an offset per block rather than one equal length
  const { bytes, view } = dataSection(8 + part.length * 8);
  view.setUint32(4, part.length, true);
  part.forEach((block, i) => view.setBigUint64(8 + i * 8, BigInt(block.dataOffset), true));
  return bytes;
}
