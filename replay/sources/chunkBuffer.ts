/**
 * A buffer for one chunk's bytes, not zero-filled where that can be avoided (every byte is
 * written before it is handed out). `shared` puts it in a SharedArrayBuffer, so that a worker
 * thread (the cache's MD5) can read it in place: no copy, and the chunk's owner keeps it.
 */
export function chunkBuffer(bytes: number, shared: boolean): Uint8Array {
  if (shared) return new Uint8Array(new SharedArrayBuffer(bytes));
  return new Uint8Array(Buffer.allocUnsafeSlow(bytes).buffer, 0, bytes);
}
