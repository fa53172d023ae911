import { createHash } from "node:crypto";
import { expect } from "vitest";
import type { NasCache } from "../../replay/sources/NasCache.js";

/** The entry meta of an object `bytes` under s3://b/`key` (single-part ETag: its MD5). */
export function metaOf(key: string, bytes: Uint8Array) {
  const etag = `"${createHash("md5").update(bytes).digest("hex")}"`;
  return { bucket: "b", key, etag, size: bytes.length };
}

/** Writes `bytes` as the complete cache entry of s3://b/`key`; its folder. */
export async function putCompleteEntry(
  cache: NasCache, key: string, bytes: Uint8Array,
): Promise<string> {
  const entry = await cache.openEntry(metaOf(key, bytes));
  if (entry === undefined) throw new Error(`no cache entry for ${key}`);
  await entry.write(0, bytes);
  await entry.close();
  expect(entry.complete).toBe(true);
  return entry.dir;
}
