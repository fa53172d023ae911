/**
 * A uint32 at `at` without a DataView, which costs more to create than the read itself when it
 * is made once per message. Out-of-range bytes read as 0: callers check bounds first.
 */
export function readUint32(bytes: Uint8Array, at: number, littleEndian: boolean): number {
  const a = bytes[at] ?? 0;
  const b = bytes[at + 1] ?? 0;
  const c = bytes[at + 2] ?? 0;
  const d = bytes[at + 3] ?? 0;
  return littleEndian
    ? (a | (b << 8) | (c << 16) | (d << 24)) >>> 0
    : ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}
