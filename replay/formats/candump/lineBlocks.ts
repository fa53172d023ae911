import { FormatError } from "../FormatError.js";

/** Whole lines of a text log: `bytes` starts at file offset `offset` with line `firstLine`. */
export interface LineBlock {
  bytes: Uint8Array;
  offset: number;
  /** 1-based number of the first line in `bytes`. */
  firstLine: number;
}

/** Longest line accepted; a longer one means the input is not a line-oriented text log. */
export const MAX_LINE_BYTES = 1 << 16;

const LF = 0x0a;

/**
 * Cuts a chunk stream into blocks of whole lines. A line split across two chunks is carried
 * into the next block, so memory stays at one chunk plus one line.
 */
export async function* lineBlocks(
  file: string,
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<LineBlock> {
  let carry: Uint8Array = new Uint8Array(0);
  let offset = 0;
  let line = 1;
  for await (const chunk of chunks) {
    const bytes = carry.length > 0 ? concat(carry, chunk) : chunk;
    const last = bytes.lastIndexOf(LF);
    if (last < 0) {
      carry = bytes;
      checkLength(file, carry, offset, line);
      continue;
    }
    const block = bytes.subarray(0, last + 1);
    yield { bytes: block, offset, firstLine: line };
    line += countLines(block);
    offset += block.length;
    carry = bytes.slice(last + 1);
    checkLength(file, carry, offset, line);
  }
  if (carry.length > 0) yield { bytes: carry, offset, firstLine: line };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function countLines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) n++;
  return n;
}

function checkLength(file: string, carry: Uint8Array, offset: number, line: number): void {
  if (carry.length <= MAX_LINE_BYTES) return;
  throw new FormatError(
    file,
    `line ${line}`,
    offset,
    `expected a line of at most ${MAX_LINE_BYTES} bytes, found ${carry.length} without a newline`,
  );
}

/** End of the line starting at `start`, without its `\n` or `\r\n`. */
export function lineEnd(bytes: Uint8Array, start: number): { end: number; next: number } {
  const lf = bytes.indexOf(LF, start);
  const next = lf < 0 ? bytes.length : lf + 1;
  let end = lf < 0 ? bytes.length : lf;
  if (end > start && bytes[end - 1] === 0x0d) end--;
  return { end, next };
}

/** True when the line holds only spaces and tabs. */
export function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}
