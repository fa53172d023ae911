/**
 * The first index where two byte arrays differ, or -1. vitest's deep equality walks typed
 * arrays element by element and takes seconds on a megabyte; this says where they differ.
 */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  if (a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length)
    .equals(Buffer.from(b.buffer, b.byteOffset, b.length))) return -1;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
