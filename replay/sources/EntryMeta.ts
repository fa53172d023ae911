/** What a cache entry holds: one version (ETag) of one object. */
export interface EntryMeta {
  readonly bucket: string;
  readonly key: string;
  readonly etag: string;
  readonly size: number;
}

export function parseEntryMeta(text: string): EntryMeta | undefined {
  try {
    const v = JSON.parse(text) as Partial<EntryMeta>;
    if (typeof v.bucket !== "string" || typeof v.key !== "string") return undefined;
    if (typeof v.etag !== "string" || !Number.isSafeInteger(v.size)) return undefined;
    return { bucket: v.bucket, key: v.key, etag: v.etag, size: v.size as number };
  } catch {
    return undefined;
  }
}

export function sameEntry(a: EntryMeta, b: EntryMeta): boolean {
  return a.bucket === b.bucket && a.key === b.key && a.etag === b.etag && a.size === b.size;
}

/**
 * A single-part upload's ETag is the hex MD5 of the object; multipart ETags end in `-N` and
 * SSE-KMS ETags are not MD5s, so only a plain 32-hex ETag can be checked, and only if asked.
 */
export function md5OfEtag(etag: string): string | undefined {
  const m = /^"?([0-9a-f]{32})"?$/i.exec(etag);
  return m?.[1]?.toLowerCase();
}
