import type { DbcToken } from "./DbcToken.js";
import { DbcSyntaxError } from "./DbcSyntaxError.js";

const PUNCT = new Set([":", ";", "|", "@", "+", "-", "(", ")", "[", "]", ",", "#", "="]);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);

/**
 * Splits DBC text into tokens. Signs are separate `+`/`-` tokens: the grammar uses them both as
 * number signs and as the value type after `@1`, and ranges such as `1-3` need them apart.
 * Scanning is by character code (no regular expressions) because large DBCs run to megabytes.
 */
export function tokenizeDbc(text: string, file: string): DbcToken[] {
  const tokens: DbcToken[] = [];
  const length = text.length;
  let pos = 0;
  let line = 1;
  let lineStart = 0;

  while (pos < length) {
    const c = text.charCodeAt(pos);
    if (c === 10) {
      line++;
      lineStart = ++pos;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 0x0c || c === 0xfeff) {
      pos++;
      continue;
    }
    const column = pos - lineStart + 1;
    if (c === 0x2f && text.charCodeAt(pos + 1) === 0x2f) {
      // `//` comments are not DBC, but editors and generators leave them and other tools skip them.
      while (pos < length && text.charCodeAt(pos) !== 10) pos++;
      continue;
    }
    if (c === 0x22) {
      const s = readString(text, pos, file, line, column);
      tokens.push({ kind: "string", text: s.value, line, column });
      if (s.newlines > 0) {
        line += s.newlines;
        lineStart = text.lastIndexOf("\n", s.end) + 1;
      }
      pos = s.end;
      continue;
    }
    if (isIdentStart(c)) {
      let end = pos + 1;
      while (end < length && isIdentPart(text.charCodeAt(end))) end++;
      tokens.push({ kind: "ident", text: text.slice(pos, end), line, column });
      pos = end;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(pos + 1)))) {
      const end = numberEnd(text, pos);
      tokens.push({ kind: "number", text: text.slice(pos, end), line, column });
      pos = end;
      continue;
    }
    const ch = text[pos] as string;
    if (!PUNCT.has(ch)) {
      throw new DbcSyntaxError(file, line, column, "a DBC token", `'${ch}'`);
    }
    tokens.push({ kind: "punct", text: ch, line, column });
    pos++;
  }
  tokens.push({ kind: "eof", text: "", line, column: pos - lineStart + 1 });
  return tokens;
}

/** End of `digits [. digits] [(e|E) [+|-] digits]`; an `e` without digits is not taken. */
function numberEnd(text: string, start: number): number {
  let pos = start;
  while (isDigit(text.charCodeAt(pos))) pos++;
  if (text.charCodeAt(pos) === 46) {
    pos++;
    while (isDigit(text.charCodeAt(pos))) pos++;
  }
  const e = text.charCodeAt(pos);
  if (e === 69 || e === 101) {
    let exp = pos + 1;
    const sign = text.charCodeAt(exp);
    if (sign === 43 || sign === 45) exp++;
    if (isDigit(text.charCodeAt(exp))) {
      while (isDigit(text.charCodeAt(exp))) exp++;
      pos = exp;
    }
  }
  return pos;
}

/** Reads a quoted string; `\"` and `\\` are escapes, any other backslash is literal. */
function readString(
  text: string,
  start: number,
  file: string,
  line: number,
  column: number,
): { value: string; end: number; newlines: number } {
  let value = "";
  let newlines = 0;
  let chunk = start + 1;
  for (let pos = chunk; pos < text.length; pos++) {
    const c = text.charCodeAt(pos);
    if (c === 0x22) return { value: value + text.slice(chunk, pos), end: pos + 1, newlines };
    if (c === 10) newlines++;
    const next = text.charCodeAt(pos + 1);
    if (c === 0x5c && (next === 0x22 || next === 0x5c)) {
      value += text.slice(chunk, pos) + String.fromCharCode(next);
      chunk = ++pos + 1;
    }
  }
  throw new DbcSyntaxError(file, line, column, "a closing '\"'", "the end of the file");
}
