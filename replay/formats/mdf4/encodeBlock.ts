/** Byte length of the MDF4 block header: id (4), reserved (4), length (8), link count (8). */
export const BLOCK_HEADER_BYTES = 24;

/**
 * One MDF4 block as bytes: header, link section, data section. Blocks must start on 8-byte
 * boundaries, so the result is zero-padded to a multiple of 8 and the padding counted in
 * the block length (as asammdf and CANedge tooling write it).
 */
export function encodeBlock(
  id: string,
  links: readonly number[],
  data: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const unpadded = BLOCK_HEADER_BYTES + links.length * 8 + data.length;
  const length = Math.ceil(unpadded / 8) * 8;
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = id.charCodeAt(i);
  view.setBigUint64(8, BigInt(length), true);
  view.setBigUint64(16, BigInt(links.length), true);
  links.forEach((link, i) => view.setBigUint64(BLOCK_HEADER_BYTES + i * 8, BigInt(link), true));
  bytes.set(data, BLOCK_HEADER_BYTES + links.length * 8);
  return bytes;
}

/** The 24-byte header of a block without links whose data is written separately. */
export function encodeBlockHeader(id: string, dataBytes: number): Uint8Array {
  const bytes = new Uint8Array(BLOCK_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = id.charCodeAt(i);
  view.setBigUint64(8, BigInt(BLOCK_HEADER_BYTES + dataBytes), true);
  return bytes;
}

/** Offset of link `index` inside a block that starts at `blockOffset`. */
export function linkOffset(blockOffset: number, index: number): number {
  return blockOffset + BLOCK_HEADER_BYTES + index * 8;
}

/** A little-endian data section of `size` bytes, written through the returned view. */
export function dataSection(size: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(size);
  return { bytes, view: new DataView(bytes.buffer) };
}
