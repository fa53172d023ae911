/**
 * A log that cannot be read as its format says. The message names the file, the block or record,
 * and the byte offset, then what was expected and what was found.
 */
export class FormatError extends Error {
  readonly code: string = "E_FORMAT";

  constructor(
    readonly file: string,
    /** Block or record, e.g. `##DG` or `line 12` or `chunk 3`. */
    readonly where: string,
    /** Byte offset in the file, or -1 where the format has none (text line numbers). */
    readonly offset: number,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${where}${offset >= 0 ? ` at byte ${offset}` : ""}: ${detail}`, options);
    this.name = "FormatError";
  }
}

/** A well-formed log that uses a feature roadrig does not read. */
export class UnsupportedError extends FormatError {
  override readonly code = "E_UNSUPPORTED";

  constructor(file: string, where: string, offset: number, detail: string) {
    super(file, where, offset, `unsupported: ${detail}`);
    this.name = "UnsupportedError";
  }
}
