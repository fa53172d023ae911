import Bzip2 from "@foxglove/wasm-bz2";
import lz4 from "@foxglove/wasm-lz4";

/** Chunk decompressors by the name a bag's chunk record gives (`compression` field). */
export type Decompress = Record<string, (buffer: Uint8Array, size: number) => Uint8Array>;

let loaded: Promise<Decompress> | undefined;

/** The bz2 and lz4 decompressors, once their WebAssembly modules are compiled (once a process). */
export function rosbagDecompress(): Promise<Decompress> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<Decompress> {
  const [bz2] = await Promise.all([Bzip2.init(), lz4.isLoaded]);
  return {
    bz2: (buffer, size) => checkSize("bz2", bz2.decompress(buffer, size, { small: false }), size),
    lz4: (buffer, size) => checkSize("lz4", lz4(buffer, size), size),
  };
}

// The decompressors stop at the size they are given; a chunk whose data ends early would
// otherwise come back short without complaint. Node Buffers become plain views, so that message
// bytes are the same type whatever the chunk's compression.
function checkSize(name: string, out: Uint8Array, size: number): Uint8Array {
  if (out.length !== size) {
    throw new Error(`${name} data decompressed to ${out.length} bytes, chunk size says ${size}`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
