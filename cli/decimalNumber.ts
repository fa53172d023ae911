/**
 * A decimal number as a user writes one on the command line, or NaN. `Number()` alone would
 * also take "0x10", "0b1", "0o7", "" or " 2 ".
 */
export function decimalNumber(text: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
}
