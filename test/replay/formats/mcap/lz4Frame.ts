/**
 * Writes an LZ4 frame whose blocks hold literals only: valid LZ4 that any decoder must read,
 * with no match search. Enough to build lz4 chunks for tests, where no lz4 encoder is installed.
 */
export function lz4Frame(data: Uint8Array): Uint8Array {
  const parts: number[] = [0x04, 0x22, 0x4d, 0x18];
  // FLG: version 01, independent blocks; BD: 4 MiB maximum block size.
  const descriptor = [0x60, 0x70];
  parts.push(...descriptor, (xxh32Short(Uint8Array.from(descriptor)) >>> 8) & 0xff);
  const blockMax = 4 << 20;
  for (let at = 0; at < data.length; at += blockMax) {
    const block = literalBlock(data.subarray(at, at + blockMax));
    parts.push(...u32(block.length), ...block);
  }
  parts.push(...u32(0));
  return Uint8Array.from(parts);
}

function literalBlock(literals: Uint8Array): number[] {
  const out: number[] = [Math.min(literals.length, 15) << 4];
  if (literals.length >= 15) {
    let rest = literals.length - 15;
    for (; rest >= 255; rest -= 255) out.push(255);
    out.push(rest);
  }
  out.push(...literals);
  return out;
}

function u32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

// xxHash32 with seed 0 for inputs under 16 bytes, which skip the four-lane stage; the frame
// header checksum only ever hashes the 2–14 byte descriptor.
function xxh32Short(input: Uint8Array): number {
  const P1 = 2654435761;
  const P2 = 2246822519;
  const P3 = 3266489917;
  const P4 = 668265263;
  const P5 = 374761393;
  const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
  let h = (P5 + input.length) >>> 0;
  let i = 0;
  for (; i + 4 <= input.length; i += 4) {
    const word = (input[i] ?? 0) | ((input[i + 1] ?? 0) << 8) | ((input[i + 2] ?? 0) << 16) |
      ((input[i + 3] ?? 0) << 24);
    h = Math.imul(rotl((h + Math.imul(word, P3)) >>> 0, 17), P4);
  }
  for (; i < input.length; i++) {
    h = Math.imul(rotl((h + Math.imul(input[i] ?? 0, P5)) >>> 0, 11), P1);
  }
  h = Math.imul(h ^ (h >>> 15), P2);
  h = Math.imul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}
