import type { ByteSource } from "../../sources/ByteSource.js";
import { FormatError } from "../FormatError.js";
import { ByteSourceReadable } from "./ByteSourceReadable.js";
import { looksLikeMcap, MCAP_MAGIC } from "./looksLikeMcap.js";
import { mcapDecompress } from "./mcapDecompress.js";
import { McapLogReader } from "./McapLogReader.js";
import { readIndexedMcap } from "./readIndexedMcap.js";
import { scanMcap } from "./scanMcap.js";

/**
 * Opens an MCAP file: through its summary's indexes when they cover every message, else by
 * scanning its data section (files without summary, unfinished files, chunks without message
 * indexes). The reader owns `source` and closes it.
 */
export async function openMcap(source: ByteSource): Promise<McapLogReader> {
  const size = await source.size();
  const first = await source.read(0, MCAP_MAGIC.length);
  if (!looksLikeMcap(first)) {
    const found = Array.from(first, (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new FormatError(source.name, "magic", 0,
      `expected 89 4d 43 41 50 30 0d 0a, found ${found || "an empty file"}`);
  }
  const decompress = await mcapDecompress();
  const readable = new ByteSourceReadable(source, size);
  const indexed = await readIndexedMcap(source.name, readable, decompress);
  const contents = "contents" in indexed
    ? indexed.contents
    : await scanMcap(source, size, decompress, indexed.problem);
  return new McapLogReader(source, contents);
}
