import { promisify } from "node:util";
import { inflate } from "node:zlib";
import type { BlockReader } from "./BlockReader.js";
import type { Fragment } from "./DataFragments.js";
import { detranspose } from "./detranspose.js";

const inflateAsync = promisify(inflate);

/**
 * The logical data stream of a data group (or an SD stream) as a sequence of chunks: windows of
 * at most `window` bytes of plain blocks, one inflated DZ each. Chunks are fresh buffers, never
 * reused, so views into them stay valid. The next chunk is read (and inflated, on zlib's thread
 * pool) while the caller decodes the current one.
 */
export function dataChunks(
  blocks: BlockReader,
  fragments: Iterable<Fragment> | AsyncIterable<Fragment>,
  window: number,
): AsyncGenerator<Uint8Array> {
  return readAhead(rawChunks(blocks, fragments, window));
}

async function* rawChunks(
  blocks: BlockReader,
  fragments: Iterable<Fragment> | AsyncIterable<Fragment>,
  window: number,
): AsyncGenerator<Uint8Array> {
  for await (const f of fragments) {
    if (f.zipType < 0) {
      // Windows end on multiples of `window` in the file, so that one never spans two chunks
      // of a source that reads in aligned chunks: the first is then inside an S3 source's
      // opening request (256 KiB) and its frames go out before the rest of the chunk arrives.
      for (let pos = 0; pos < f.length;) {
        const at = f.dataOffset + pos;
        const n = Math.min(window - (at % window), f.length - pos);
        yield await blocks.readExactly(at, n, f.blockId);
        pos += n;
      }
    } else if (f.length > 0) {
      yield await inflateFragment(blocks, f);
    }
  }
}

export async function inflateFragment(blocks: BlockReader, f: Fragment): Promise<Uint8Array> {
  const stored = await blocks.readExactly(f.dataOffset, f.storedLength, "##DZ");
  let out: Uint8Array;
  try {
    // One output chunk of the announced size: zlib's default 16 KiB chunks cost a round trip to
    // the thread pool each, and a copy to join them.
    const inflated = await inflateAsync(stored, {
      maxOutputLength: f.length + 1, chunkSize: Math.max(64, f.length + 1),
    });
    // A plain Uint8Array view: Buffer's own subarray goes through a slower constructor, and the
    // decoder takes one subarray per frame.
    out = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
  } catch (err) {
    throw blocks.fail("##DZ", f.blockOffset, `expected deflate data, found: ${String(err)}`);
  }
  if (out.length !== f.length) {
    throw blocks.fail("##DZ", f.blockOffset,
      `expected ${f.length} bytes (dz_org_data_length) after inflating, found ${out.length}`);
  }
  return f.zipType === 1 ? detranspose(out, f.zipParameter) : out;
}

/** Keeps one `next()` of `source` in flight while the consumer works on the current value. */
async function* readAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let pending = source.next();
  // A consumer that stops early must not leave the pending read's rejection unhandled.
  pending.catch(() => undefined);
  try {
    for (;;) {
      const result = await pending;
      if (result.done === true) return;
      pending = source.next();
      pending.catch(() => undefined);
      yield result.value;
    }
  } finally {
    await pending.then(() => source.return(undefined), () => undefined);
  }
}
