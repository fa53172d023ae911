/** `\x89MCAP0\r\n`: the magic that opens (and closes) an MCAP file, spec major version 0. */
export const MCAP_MAGIC = Uint8Array.of(0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a);

/** True when the first bytes of a file are the MCAP magic. */
export function looksLikeMcap(firstBytes: Uint8Array): boolean {
  return firstBytes.length >= MCAP_MAGIC.length && MCAP_MAGIC.every((b, i) => firstBytes[i] === b);
}
