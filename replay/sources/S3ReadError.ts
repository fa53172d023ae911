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
