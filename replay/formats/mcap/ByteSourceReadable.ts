import type { IReadable } from "@mcap/core";
import type { ByteSource } from "../../sources/ByteSource.js";
import { FormatError } from "../FormatError.js";

/**
 * A ByteSource as the MCAP library's IReadable. A short read means the file is shorter than its
 * records say: that is reported here, with the offset, rather than as a parse error later.
 * The last offset read locates errors the library raises without one.
 */
export class ByteSourceReadable implements IReadable {
  lastOffset = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly bytes: number,
  ) {}

  size(): Promise<bigint> {
    return Promise.resolve(BigInt(this.bytes));
  }

  async read(offset: bigint, size: bigint): Promise<Uint8Array> {
    const at = Number(offset);
    const length = Number(size);
    this.lastOffset = at;
    const data = await this.source.read(at, length);
    if (data.length !== length) {
      throw new FormatError(this.source.name, "record", at,
        `expected ${length} bytes, file ends after ${data.length}: truncated`);
    }
    return data;
  }
}
