import { UsageError } from "./UsageError.js";

/**
 * A port given on the command line: decimal digits from 0 to 65535, nothing else. `Number()`
 * alone would take `1e3`, `0x50` or ` 80 ` as ports the user never typed.
 */
export function portFlag(flag: string, text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port <= 65535)) throw new UsageError(`${flag}: expected a port number, found '${text}'`);
  return port;
}
