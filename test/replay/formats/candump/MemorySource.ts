import type { ByteSource } from "../../../../replay/sources/ByteSource.js";

/** Bytes in memory as a ByteSource, counting reads so tests can check streaming. */
export class MemorySource implements ByteSource {
  readonly reads: { offset: number; length: number }[] = [];
  closed = false;

  constructor(
    private readonly bytes: Uint8Array,
    readonly name = "memory.log",
  ) {}

  static text(text: string, name?: string): MemorySource {
    return new MemorySource(Buffer.from(text, "latin1"), name);
  }

  size(): Promise<number> {
    return Promise.resolve(this.bytes.length);
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push({ offset, length });
    return Promise.resolve(this.bytes.slice(offset, offset + length));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
