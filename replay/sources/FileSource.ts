import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import type { ByteSource } from "./ByteSource.js";

/** A local file as a ByteSource. */
export class FileSource implements ByteSource {
  private constructor(
    readonly name: string,
    private readonly handle: FileHandle,
    private readonly bytes: number,
  ) {}

  static async open(path: string): Promise<FileSource> {
    // O_NONBLOCK: opening a FIFO for reading otherwise blocks until a writer comes, in a
    // libuv thread that no signal can stop; on a regular file the flag changes nothing.
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) {
        const what = stat.isDirectory() ? "a directory" : stat.isFIFO() ? "a FIFO" : "a device or socket";
        throw Object.assign(new Error(`${path}: expected a regular file, found ${what}`), {
          code: stat.isDirectory() ? "EISDIR" : "EINVAL",
        });
      }
      return new FileSource(path, handle, stat.size);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  size(): Promise<number> {
    return Promise.resolve(this.bytes);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.bytes, offset + length);
    if (offset >= end) return new Uint8Array(0);
    const buf = new Uint8Array(end - offset);
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await this.handle.read(buf, done, buf.length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === buf.length ? buf : buf.subarray(0, done);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
