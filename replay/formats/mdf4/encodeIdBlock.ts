export type Mdf4Version = "4.11" | "4.20";

/** Byte length of the identification block that opens every MDF file. */
export const ID_BLOCK_BYTES = 64;

/** id_unfin_flags while a writer is still streaming: cycle counters not yet updated (bit 0). */
const UNFIN_CYCLE_COUNTERS = 0x01;

/**
 * The 64-byte identification block. A file being written says `UnFinMF ` so that a crash leaves
 * a file no tool mistakes for a finished one; close rewrites it as `MDF     `.
 */
export function encodeIdBlock(
  version: Mdf4Version,
  program: string,
  finalized: boolean,
): Uint8Array {
  const bytes = new Uint8Array(ID_BLOCK_BYTES);
  const view = new DataView(bytes.buffer);
  putAscii(bytes, 0, finalized ? "MDF     " : "UnFinMF ");
  putAscii(bytes, 8, `${version}    `);
  putAscii(bytes, 16, program.padEnd(8, " ").slice(0, 8));
  view.setUint16(28, Number(version.replace(".", "")), true);
  view.setUint16(60, finalized ? 0 : UNFIN_CYCLE_COUNTERS, true);
  return bytes;
}

function putAscii(bytes: Uint8Array, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i) & 0x7f;
}
