import { encodeBlock } from "./encodeBlock.js";

const utf8 = new TextEncoder();

/** A `##TX` (plain UTF-8 text) or `##MD` (XML) block; the string is stored NUL-terminated. */
export function encodeText(text: string, id: "##TX" | "##MD" = "##TX"): Uint8Array {
  const encoded = utf8.encode(text);
  const data = new Uint8Array(encoded.length + 1);
  data.set(encoded);
  return encodeBlock(id, [], data);
}
