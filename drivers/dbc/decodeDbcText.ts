const utf8 = new TextDecoder("utf-8", { fatal: true });
const cp1252 = new TextDecoder("windows-1252");

/**
 * DBC files come from Windows tools in cp1252 as often as in UTF-8, and neither declares its
 * encoding. A byte sequence that is valid UTF-8 is almost never meant as cp1252, so UTF-8 wins
 * when it decodes cleanly.
 */
export function decodeDbcText(bytes: Uint8Array): string {
  try {
    return stripBom(utf8.decode(bytes));
  } catch {
    return cp1252.decode(bytes);
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
