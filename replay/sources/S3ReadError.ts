/** A ranged GET that could not be completed, with the object and the range it was reading. */
export class S3ReadError extends Error {
  readonly code = "E_S3_READ";

  constructor(
    readonly url: string,
    readonly offset: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${url}: at byte offset ${offset}: ${message}`, options);
    this.name = "S3ReadError";
  }
}

/**
 * `bytes` if they are all of [start, end): inside the size learned at open, a short reply
 * means the object changed under the reader.
 */
export function exactBytes(
  url: string, start: number, end: number, bytes: Uint8Array, objectSize: number | undefined,
): Uint8Array {
  if (bytes.length !== end - start) {
    throw new S3ReadError(url, start + bytes.length,
      `expected ${end - start} bytes, found ${bytes.length} (object size now ${objectSize})`);
  }
  return bytes;
}
