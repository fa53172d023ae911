import type { ByteSource } from "../../sources/ByteSource.js";

/** Bytes fetched per read when walking small records, so that S3 sees few, large requests. */
const WINDOW_BYTES = 1 << 20;

/**
 * Sequential reads over a ByteSource through a window of about 1 MiB: walking a data section
 * of small records (loose messages) would otherwise cost two reads per record.
 */
export class ReadAheadWindow {
  private start = 0;
  private bytes: Uint8Array = new Uint8Array(0);

  constructor(private readonly source: ByteSource) {}

  /** `length` bytes at `offset`, fewer only at the end of the source. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = offset + length;
    if (offset < this.start || end > this.start + this.bytes.length) {
      if (length >= WINDOW_BYTES) return this.source.read(offset, length);
      this.start = offset;
      this.bytes = await this.source.read(offset, WINDOW_BYTES);
    }
    return this.bytes.subarray(offset - this.start, end - this.start);
  }
}
