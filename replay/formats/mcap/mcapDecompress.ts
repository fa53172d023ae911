import type { DecompressHandlers } from "@mcap/core";
import lz4 from "@foxglove/wasm-lz4";
import * as zstd from "@foxglove/wasm-zstd";

let loaded: Promise<DecompressHandlers> | undefined;

/**
 * Chunk decompressors by the MCAP compression name, once their WebAssembly modules are compiled
 * (once a process).
 */
export function mcapDecompress(): Promise<DecompressHandlers> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<DecompressHandlers> {
  await Promise.all([lz4.isLoaded, zstd.isLoaded]);
  return {
    lz4: (buffer, size) => checkSize("lz4", lz4(buffer, Number(size)), size),
    zstd: (buffer, size) => checkSize("zstd", zstd.decompress(buffer, Number(size)), size),
  };
}

// A chunk whose records end before its `uncompressed_size` would otherwise come back short.
// Node Buffers become plain views, so that message bytes are the same type in every chunk.
function checkSize(name: string, out: Uint8Array, size: bigint): Uint8Array {
  if (BigInt(out.length) !== size) {
    throw new Error(
      `${name} chunk decompressed to ${out.length} bytes, uncompressed_size says ${size}`,
    );
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
