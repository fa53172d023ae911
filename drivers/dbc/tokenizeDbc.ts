import type { DbcToken } from "./DbcToken.js";
import { DbcSyntaxError } from "./DbcSyntaxError.js";

const PUNCT = new Set([":", ";", "|", "@", "+", "-", "(", ")", "[", "]", ",", "#", "="]);
const NUMBER = /[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Splits DBC text into tokens. Signs are separate `+`/`-` tokens: the grammar uses them both as
 * number signs and as the value type after `@1`, and ranges such as `1-3` need them apart.
 */
export function tokenizeDbc(text: string, file: string): DbcToken[] {
  const tokens: DbcToken[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;

  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if (c === 10) {
      line++;
      pos++;
      lineStart = pos;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 0x0c || c === 0xfeff) {
      pos++;
      continue;
    }
    const column = pos - lineStart + 1;
    if (c === 0x2f && text.charCodeAt(pos + 1) === 0x2f) {
      // `//` comments are not DBC, but editors and generators leave them and other tools skip them.
      while (pos < text.length && text.charCodeAt(pos) !== 10) pos++;
      continue;
    }
    if (c === 0x22) {
      const s = readString(text, pos, file, line, column);
      tokens.push({ kind: "string", text: s.value, line, column });
      for (let i = pos; i < s.end; i++) {
        if (text.charCodeAt(i) === 10) {
          line++;
          lineStart = i + 1;
        }
      }
      pos = s.end;
      continue;
    }
    const ident = matchAt(IDENT, text, pos);
    const word = ident ?? matchAt(NUMBER, text, pos);
    if (word !== undefined) {
      tokens.push({ kind: ident === undefined ? "number" : "ident", text: word, line, column });
      pos += word.length;
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

function matchAt(re: RegExp, text: string, pos: number): string | undefined {
  re.lastIndex = pos;
  return re.exec(text)?.[0];
}

/** Reads a quoted string; `\"` and `\\` are escapes, any other backslash is literal. */
function readString(
  text: string,
  start: number,
  file: string,
  line: number,
  column: number,
): { value: string; end: number } {
  let value = "";
  let pos = start + 1;
  while (pos < text.length) {
    const ch = text[pos] as string;
    if (ch === '"') return { value, end: pos + 1 };
    if (ch === "\\" && (text[pos + 1] === '"' || text[pos + 1] === "\\")) {
      value += text[pos + 1] as string;
      pos += 2;
      continue;
    }
    value += ch;
    pos++;
  }
  throw new DbcSyntaxError(file, line, column, "a closing '\"'", "the end of the file");
}
