import type { Filelike } from "@foxglove/rosbag";
import type { ByteSource } from "../../sources/ByteSource.js";

/**
 * A ByteSource as the rosbag library's Filelike. The library asks for the size synchronously, so
 * it is fetched once when the bag is opened. Short reads at the end pass through unchanged: the
 * library reads ahead past the end of small bags on purpose, and the reader checks record bounds
 * itself.
 */
export class ByteSourceFilelike implements Filelike {
  constructor(
    private readonly source: ByteSource,
    private readonly bytes: number,
  ) {}

  size(): number {
    return this.bytes;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return this.source.read(offset, length);
  }
}
