const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/**
 * cp1252's characters at 0x80–0x9F (undefined bytes keep their latin-1 code). Node 20's
 * `TextDecoder("windows-1252")` decodes as latin-1 and gets exactly these wrong.
 */
const CP1252_HIGH =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d" +
  "\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153" +
  "\u009d\u017e\u0178";

/**
 * DBC files come from Windows tools in cp1252 as often as in UTF-8, and neither declares its
 * encoding. A byte sequence that is valid UTF-8 is almost never meant as cp1252, so UTF-8 wins
 * when it decodes cleanly.
 */
export function decodeDbcText(bytes: Uint8Array): string {
  try {
    return stripBom(utf8.decode(bytes));
  } catch {
    return latin1
      .decode(bytes)
      .replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] as string);
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
