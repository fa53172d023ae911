import { readFile } from "node:fs/promises";
import { parseS3Url } from "./S3Url.js";

/**
 * The S3 URLs of a playlist file: one `s3://bucket/key` per line; blank lines and lines
 * starting with `#` are skipped. A bad line is refused with the file and line number.
 */
export async function readPlaylist(path: string): Promise<string[]> {
  const lines = (await readFile(path, "utf8")).split(/\r?\n/);
  const urls: string[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    try {
      parseS3Url(line);
    } catch (err) {
      // A code: the input's trouble, shown by the CLI without a stack trace.
      throw Object.assign(new Error(`${path}:${i + 1}: ${(err as Error).message}`, { cause: err }),
        { code: "E_PLAYLIST" });
    }
    urls.push(line);
  });
  return urls;
}
