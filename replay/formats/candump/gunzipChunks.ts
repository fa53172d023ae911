import { Readable, pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { FormatError } from "../FormatError.js";

/** True when the bytes start with the gzip member magic (RFC 1952). */
export function isGzip(firstBytes: Uint8Array): boolean {
  return firstBytes.length >= 2 && firstBytes[0] === 0x1f && firstBytes[1] === 0x8b;
}

/**
 * Inflates a gzip stream chunk by chunk, so a compressed log never sits in memory whole.
 * Concatenated gzip members are read as one stream, as `gunzip` does. Corrupt or truncated
 * gzip data is a FormatError naming `file` and the compressed offset reached.
 */
export async function* gunzipChunks(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
): AsyncGenerator<Uint8Array> {
  const gunzip = createGunzip();
  // pipeline, not pipe: a failing source must also fail the iteration below.
  pipeline(Readable.from(chunks), gunzip, () => undefined);
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } catch (err) {
    if (!isZlibError(err)) throw err;
    const detail = `expected gzip data, found an error: ${err.message}`;
    throw new FormatError(file, "gzip stream", gunzip.bytesWritten, detail, { cause: err });
  }
}

function isZlibError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === "string" && code.startsWith("Z_");
}
