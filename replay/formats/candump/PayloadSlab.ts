const SLAB_BYTES = 1 << 16;
const EMPTY = new Uint8Array(0);

/**
 * Hands out frame payloads as views into shared 64 KiB slabs. One small ArrayBuffer per frame
 * costs more (allocation and GC) than parsing the frame; a slab lives as long as any frame
 * still viewing it.
 */
export class PayloadSlab {
  /** The slab to write the next payload into, from `at`. */
  bytes = new Uint8Array(SLAB_BYTES);
  at = 0;

  /** Makes room for up to `max` bytes at `bytes[at]`. */
  reserve(max: number): void {
    if (this.at + max <= this.bytes.length) return;
    this.bytes = new Uint8Array(Math.max(SLAB_BYTES, max));
    this.at = 0;
  }

  /** The `length` bytes written at `at`, which become a frame's payload. */
  commit(length: number): Uint8Array {
    if (length === 0) return EMPTY;
    const view = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return view;
  }
}
