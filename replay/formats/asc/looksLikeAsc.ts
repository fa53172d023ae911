const HEADER = /^\s*(date\s|base\s+(hex|dec)\b|(no\s+)?internal\s+events\s+logged|begin\s+triggerblock)/im;

/**
 * True when the opening bytes hold an ASC header line (`date`, `base hex|dec`,
 * `internal events logged`, `Begin Triggerblock`). Pass the first few KiB, decompressed.
 */
export function looksLikeAsc(firstBytes: Uint8Array): boolean {
  const text = new TextDecoder("latin1").decode(firstBytes.subarray(0, 4096));
  return HEADER.test(text);
}
