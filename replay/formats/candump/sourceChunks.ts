import type { ByteSource } from "../../sources/ByteSource.js";

/** Default read size: large enough for efficient S3 ranged GETs, small enough to bound memory. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

/** Reads a source front to back in chunks; the last chunk may be short. */
export async function* sourceChunks(
  source: ByteSource,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (;;) {
    const chunk = await source.read(offset, chunkBytes);
    if (chunk.length === 0) return;
    offset += chunk.length;
    yield chunk;
    if (chunk.length < chunkBytes) return;
  }
}
