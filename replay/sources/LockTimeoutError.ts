/** A cache lock stayed held by a live owner for longer than the caller would wait. */
export class LockTimeoutError extends Error {
  readonly code = "LOCK_TIMEOUT";

  constructor(readonly path: string, readonly holder: string, waitedMs: number) {
    super(`${path}: lock still held by ${holder} after ${waitedMs} ms`);
    this.name = "LockTimeoutError";
  }
}
