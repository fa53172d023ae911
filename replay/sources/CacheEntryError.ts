/** A cache entry on disk that cannot be trusted (short, wrong size, wrong MD5). */
export class CacheEntryError extends Error {
  readonly code = "CACHE_ENTRY_CORRUPT";

  constructor(readonly path: string, readonly offset: number, what: string) {
    super(`${path}: at byte offset ${offset}: ${what}`);
    this.name = "CacheEntryError";
  }
}
