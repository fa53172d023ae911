import type { ByteSource } from "../../../../replay/sources/ByteSource.js";

/** Bytes built in a test, as a ByteSource that counts what it is asked for. */
export class MemorySource implements ByteSource {
  closed = false;
  readonly reads: { offset: number; length: number }[] = [];

  constructor(
    private readonly bytes: Uint8Array,
    readonly name = "memory.bin",
  ) {}

  size(): Promise<number> {
    return Promise.resolve(this.bytes.length);
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push({ offset, length });
    return Promise.resolve(this.bytes.slice(offset, Math.min(this.bytes.length, offset + length)));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
