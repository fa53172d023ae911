import { Readable, pipeline } from "node:stream";
import { createGunzip } from "node:zlib";

/** True when the bytes start with the gzip member magic (RFC 1952). */
export function isGzip(firstBytes: Uint8Array): boolean {
  return firstBytes.length >= 2 && firstBytes[0] === 0x1f && firstBytes[1] === 0x8b;
}

/**
 * Inflates a gzip stream chunk by chunk, so a compressed log never sits in memory whole.
 * Concatenated gzip members are read as one stream, as `gunzip` does.
 */
export async function* gunzipChunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const gunzip = createGunzip();
  // pipeline, not pipe: a failing source must also fail the iteration below.
  pipeline(Readable.from(chunks), gunzip, () => undefined);
  for await (const chunk of gunzip) yield chunk as Uint8Array;
}
