import type { BlockReader, Origin } from "./BlockReader.js";

const decoder = new TextDecoder("utf-8");

/**
 * Text of a TX block, or of an MD block's `<TX>` element (XML metadata); `""` for link 0.
 * Both are zero-terminated UTF-8.
 */
export async function readText(blocks: BlockReader, link: number, from: Origin): Promise<string> {
  if (link === 0) return "";
  const block = await blocks.block(link, ["##TX", "##MD"], from);
  const end = block.bytes.indexOf(0);
  const text = decoder.decode(end >= 0 ? block.bytes.subarray(0, end) : block.bytes);
  if (block.id === "##TX") return text;
  const match = /<TX>([\s\S]*?)<\/TX>/.exec(text);
  return match ? unescapeXml(match[1] ?? "") : "";
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}
