/**
 * GETs an S3Source makes for a sequential read of `size` bytes after its open request, which
 * fetched the first chunk: spans of 1, 2, 4, … chunks, each at most `maxSpan` bytes.
 */
export function spanGetsAfterFirstChunk(
  size: number, chunk: number, maxSpan = 64 * 2 ** 20,
): number {
  let n = 0;
  for (let at = chunk, span = chunk; at < size; at += span, span = Math.min(maxSpan, 2 * span)) n++;
  return n;
}
