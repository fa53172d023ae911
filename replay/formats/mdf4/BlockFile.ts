import { closeSync, openSync, writeSync } from "node:fs";

/**
 * An MDF file being written: blocks are appended at the end, and links or counters written
 * earlier are patched in place. Synchronous on purpose: a record stream produces a block every
 * few MiB, and a write in order keeps the file's layout what the offsets say it is.
 */
export class BlockFile {
  private readonly fd: number;
  private end = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }

  get size(): number {
    return this.end;
  }

  /** Appends bytes (a whole number of 8-byte units keeps blocks aligned); returns their offset. */
  append(bytes: Uint8Array): number {
    const at = this.end;
    writeAll(this.fd, bytes, at);
    this.end += bytes.length;
    return at;
  }

  patch(at: number, bytes: Uint8Array): void {
    writeAll(this.fd, bytes, at);
  }

  patchUint64(at: number, value: number): void {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(value), true);
    this.patch(at, bytes);
  }

  close(): void {
    closeSync(this.fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array, at: number): void {
  let done = 0;
  while (done < bytes.length) {
    done += writeSync(fd, bytes, done, bytes.length - done, at + done);
  }
}
