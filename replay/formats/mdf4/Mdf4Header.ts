import type { BlockReader } from "./BlockReader.js";
import { UnsupportedError } from "../FormatError.js";
import { readText } from "./readText.js";

/** What the ID and HD blocks say of the file. */
export interface Mdf4Header {
  /** `4.10`, `4.20`... from id_ver. */
  version: string;
  versionNumber: number;
  program: string;
  /** False for `UnFinMF ` files: counts and the last data block's length cannot be trusted. */
  finalized: boolean;
  unfinalizedFlags: number;
  /** hd_start_time_ns: UTC epoch nanoseconds whatever the time flags say. */
  startNs: bigint;
  tzOffsetMin: number;
  dstOffsetMin: number;
  timeFlags: number;
  comment: string;
  firstDataGroup: number;
}

const ascii = new TextDecoder("latin1");

export async function readHeader(blocks: BlockReader): Promise<Mdf4Header> {
  if (blocks.size < 64) {
    throw blocks.fail("##ID", 0, `expected a 64-byte ID block, found a ${blocks.size}-byte file`);
  }
  const id = await blocks.readExactly(0, 64, "##ID");
  const view = new DataView(id.buffer, id.byteOffset, 64);
  const magic = ascii.decode(id.subarray(0, 8));
  if (magic !== "MDF     " && magic !== "UnFinMF ") {
    throw blocks.fail("##ID", 0, `expected id_file "MDF     " or "UnFinMF ", found ${JSON.stringify(magic)}`);
  }
  const versionNumber = view.getUint16(28, true);
  if (versionNumber < 400 || versionNumber >= 500) {
    throw blocks.fail("##ID", 28, `expected id_ver 400-499, found ${versionNumber}`);
  }
  if (versionNumber > 420) {
    throw new UnsupportedError(blocks.file, "##ID", 28, `MDF version ${versionNumber / 100}` +
      " (4.00-4.20 are read)");
  }
  const hd = await blocks.block(64, ["##HD"], { where: "##ID", offset: 0 }, 32);
  const hv = hd.view;
  return {
    version: (versionNumber / 100).toFixed(2),
    versionNumber,
    program: ascii.decode(id.subarray(16, 24)).replace(/[\0 ]+$/, ""),
    finalized: magic === "MDF     ",
    unfinalizedFlags: view.getUint16(60, true),
    startNs: hv.getBigUint64(0, true),
    tzOffsetMin: hv.getInt16(8, true),
    dstOffsetMin: hv.getInt16(10, true),
    timeFlags: hv.getUint8(12),
    comment: await readText(blocks, hd.links[5] ?? 0, { where: "##HD", offset: 64 }),
    firstDataGroup: hd.links[0] ?? 0,
  };
}
