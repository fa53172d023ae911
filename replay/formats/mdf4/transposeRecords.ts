/**
 * Transposes whole records for DZ zip_type 1: byte j of every record comes together, so that
 * slowly changing fields (time, ID, flags) form long runs deflate packs well. Bytes after the
 * last whole record stay in place, as the spec requires.
 */
export function transposeRecords(data: Uint8Array, recordBytes: number): Uint8Array {
  const records = Math.floor(data.length / recordBytes);
  const out = new Uint8Array(data.length);
  for (let j = 0; j < recordBytes; j++) {
    const column = j * records;
    for (let r = 0, src = j; r < records; r++, src += recordBytes) {
      out[column + r] = data[src] as number;
    }
  }
  out.set(data.subarray(records * recordBytes), records * recordBytes);
  return out;
}
