/**
 * Undoes dz_zip_type 1: the stored bytes hold the first `rows * columns` bytes column by column
 * (byte c of every record, then byte c+1...); bytes past the last whole row are stored as is.
 */
export function detranspose(data: Uint8Array, columns: number): Uint8Array {
  const rows = Math.floor(data.length / columns);
  if (rows === 0 || columns === 1) return data;
  const out = new Uint8Array(data.length);
  for (let c = 0; c < columns; c++) {
    let src = c * rows;
    for (let r = 0, dst = c; r < rows; r++, dst += columns) out[dst] = data[src++] as number;
  }
  out.set(data.subarray(rows * columns), rows * columns);
  return out;
}
