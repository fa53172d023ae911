import { FormatError } from "../FormatError.js";

/** A library's or decoder's error with the coordinates it lacks; FormatErrors pass unchanged. */
export function toFormatError(
  file: string,
  where: string,
  offset: number,
  err: unknown,
): FormatError {
  if (err instanceof FormatError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new FormatError(file, where, offset, detail, { cause: err });
}
