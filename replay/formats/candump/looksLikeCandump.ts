const PATTERN = /^\s*\(\d{1,15}\.(\d{6}|\d{9})\)[ \t]+\S+[ \t]+[0-9A-Fa-f]{3}(?:[0-9A-Fa-f]{5})?#/;

/**
 * True when the first line that is not blank is a candump log line. Pass the first few KiB of
 * the file (already decompressed); only the opening of that line has to be there.
 */
export function looksLikeCandump(firstBytes: Uint8Array): boolean {
  const text = new TextDecoder("latin1").decode(firstBytes.subarray(0, 4096));
  return PATTERN.test(text);
}
