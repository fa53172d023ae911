import { createHash, randomUUID } from "node:crypto";
import { constants } from "node:fs";
import { access, mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { makeDirectory } from "../../drivers/fs/makeDirectory.js";
import { CacheEntry, readSums, type CacheEntryOptions } from "./CacheEntry.js";
import { CacheEntryError } from "./CacheEntryError.js";
import { DirLock, type LockWait } from "./DirLock.js";
import { parseEntryMeta, type EntryMeta } from "./EntryMeta.js";
import { liveLeases, newestLeaseMs } from "./Lease.js";
import { namedFsError } from "./namedFsError.js";
import { RangeSet } from "./RangeSet.js";

export interface NasCacheOptions {
  readonly dir: string;
  /** Bytes on disk the cache may use; least recently used entries not in use go first. */
  readonly maxBytes?: number;
  /** Locks and leases whose heartbeat is older than this are presumed dead (default 60 s). */
  readonly staleMs?: number;
  /**
   * Longest wait for an entry's lock (default twice staleMs): longer than staleMs, so that a
   * holder that died is always presumed dead before a waiter gives up, even when the holder's
   * host clock ran ahead of this one's.
   */
  readonly lockTimeoutMs?: number;
  /** Told when opening an entry has waited 2 s for its lock (another process holds it). */
  readonly onLockWait?: (wait: LockWait) => void;
  /** Check single-part ETags' MD5 before publishing a complete entry (default true). */
  readonly verifyMd5?: boolean;
  /**
   * Record filled ranges after this many bytes (default 256 MiB). Recording syncs the part file:
   * rarely enough not to slow a fill, often enough that a restart keeps most of the work.
   */
  readonly flushBytes?: number;
}

export interface CacheEntryStatus extends EntryMeta {
  readonly dir: string;
  readonly complete: boolean;
  readonly filledBytes: number;
  readonly diskBytes: number;
  /** Live readers (leases) right now. */
  readonly inUse: number;
  readonly lastUsed: Date;
}

/** What `verify` found for one complete entry. */
export interface CheckedEntry extends EntryMeta {
  readonly dir: string;
  /** "ok", or "corrupt" (then discarded, to be fetched again, unless the cache is read-only). */
  readonly verdict: "ok" | "corrupt";
  /** For a corrupt entry: false when it could not be removed (a read-only cache). */
  readonly discarded?: boolean;
  /** For a corrupt entry: where and what (CacheEntryError's message). */
  readonly problem?: string;
}

/**
 * An entry this process could not read (its meta.json, or its data: EACCES on an entry
 * another user wrote, EIO): neither checked nor counted, and never skipped in silence.
 */
export interface UnreadableEntry extends Partial<EntryMeta> {
  readonly dir: string;
  readonly verdict: "unreadable";
  /** The file and the error. */
  readonly problem: string;
}

export type EntryVerdict = CheckedEntry | UnreadableEntry;

export interface CacheStatus {
  readonly dir: string;
  readonly maxBytes: number;
  readonly usedBytes: number;
  readonly entries: CacheEntryStatus[];
  /** Entries whose meta.json could not be read: not in `entries`, nor in `usedBytes`. */
  readonly unreadable: UnreadableEntry[];
}

interface Scan {
  readonly entries: CacheEntryStatus[];
  readonly unreadable: UnreadableEntry[];
}

/**
 * A read-through cache directory of S3 objects, shared by replay processes on several hosts
 * (typically on a NAS). Entries are keyed by bucket, key and ETag, so a replaced object is a
 * new entry and never mixes with the old one.
 */
export class NasCache {
  readonly dir: string;
  readonly maxBytes: number;
  private readonly entryOptions: CacheEntryOptions;
  private readonly staleMs: number;

  constructor(options: NasCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? Infinity;
    this.staleMs = options.staleMs ?? 60_000;
    this.entryOptions = {
      lock: {
        staleMs: this.staleMs,
        timeoutMs: options.lockTimeoutMs ?? 2 * this.staleMs,
        ...(options.onLockWait ? { onWait: options.onLockWait } : {}),
      },
      leaseHeartbeatMs: Math.max(1, this.staleMs / 4),
      verifyMd5: options.verifyMd5 ?? true,
      flushBytes: options.flushBytes ?? 256 * 1024 * 1024,
    };
  }

  entryDir(meta: Pick<EntryMeta, "bucket" | "key" | "etag">): string {
    const id = createHash("sha256").update(`${meta.bucket}\0${meta.key}\0${meta.etag}`).digest("hex");
    return join(this.dir, "entries", id.slice(0, 40));
  }

  /** The entry for this object version, or undefined when the cache cannot make room for it. */
  async openEntry(meta: EntryMeta): Promise<CacheEntry | undefined> {
    const dir = this.entryDir(meta);
    try {
      const limited = Number.isFinite(this.maxBytes);
      if (limited && !(await this.makeRoom(meta.size, dir))) return undefined;
    } catch (err) {
      // A cache this process cannot write evicts nothing; it may still serve the entry.
      return this.readOnlyOr(err, dir, meta);
    }
    return this.openForRead(dir, meta);
  }

  /** The entry, or, where the cache cannot be written, its complete form read-only. */
  private async openForRead(dir: string, meta: EntryMeta): Promise<CacheEntry> {
    try {
      return await CacheEntry.open(dir, meta, this.entryOptions);
    } catch (err) {
      return this.readOnlyOr(err, dir, meta);
    }
  }

  /**
   * After `err`: a read-only cache still serves its complete entries (anything else goes to
   * S3); any other error, or no complete entry, throws `err`.
   */
  private async readOnlyOr(err: unknown, dir: string, meta: EntryMeta): Promise<CacheEntry> {
    const entry = isReadOnlyError(err)
      ? await CacheEntry.openReadOnly(dir, meta, this.entryOptions)
      : undefined;
    if (entry === undefined) throw err;
    return entry;
  }

  /**
   * Reads every complete entry through its block sums, as a replay would; an entry whose bytes
   * changed on disk is discarded (the next replay fetches it again), and so is a published
   * `data` of the wrong size or without usable sums. Partial entries are left alone: their
   * bytes are checked against the ETag when they are published.
   */
  async verify(onEntry?: (verdict: EntryVerdict) => void): Promise<EntryVerdict[]> {
    const verdicts: EntryVerdict[] = [];
    const { entries, unreadable } = await this.scan();
    for (const verdict of unreadable) {
      verdicts.push(verdict);
      onEntry?.(verdict);
    }
    for (const found of entries) {
      const meta = { bucket: found.bucket, key: found.key, etag: found.etag, size: found.size };
      if (!found.complete) {
        // A `data` is only ever published whole and after its sums: one of the wrong size, or
        // whose sums are gone or damaged, changed on disk too. Opening the entry drops it.
        const problem = await publishedDataProblem(found.dir, found.size);
        if (problem === undefined) continue;
        const kept = await discardedOrWhyNot(async () => {
          const entry = await CacheEntry.open(found.dir, meta, this.entryOptions);
          try {
            await entry.discard();
          } finally {
            await entry.close();
          }
        });
        const verdict: EntryVerdict = {
          ...meta, dir: found.dir, verdict: "corrupt", problem: `${problem}${kept}`,
          discarded: kept === "",
        };
        verdicts.push(verdict);
        onEntry?.(verdict);
        continue;
      }
      const entry = await this.openForRead(found.dir, meta).catch(async (err: unknown) => {
        // Corrupt entries are found by reading; an entry that cannot be opened at all (its
        // data unreadable by this user) is reported, and the others are still checked. The
        // data file's own error says more than the lock's that came first.
        const data = join(found.dir, "data");
        const why = await access(data, constants.R_OK).then(() => err, (e: unknown) => e);
        const verdict = unreadableEntry(found.dir, why, meta);
        verdicts.push(verdict);
        onEntry?.(verdict);
        return undefined;
      });
      if (entry === undefined) continue;
      let verdict: EntryVerdict = { ...meta, dir: found.dir, verdict: "ok" };
      try {
        const step = 8 * 1024 * 1024;
        for (let at = 0; at < meta.size && entry.complete; at += step) {
          await entry.read(at, Math.min(meta.size, at + step));
        }
      } catch (err) {
        if (!(err instanceof CacheEntryError)) throw err;
        const kept = await discardedOrWhyNot(() => entry.discard());
        verdict = {
          ...verdict, verdict: "corrupt", problem: `${err.message}${kept}`, discarded: kept === "",
        };
      } finally {
        await entry.close();
      }
      verdicts.push(verdict);
      onEntry?.(verdict);
    }
    return verdicts;
  }

  async status(): Promise<CacheStatus> {
    const { entries, unreadable } = await this.scan();
    const usedBytes = entries.reduce((sum, e) => sum + e.diskBytes, 0);
    return { dir: this.dir, maxBytes: this.maxBytes, usedBytes, entries, unreadable };
  }

  /**
   * Evicts least recently used entries that nobody is reading until `need` more bytes fit
   * (the entry `keepDir` does not count and is kept). False if that is impossible.
   */
  async makeRoom(need: number, keepDir?: string): Promise<boolean> {
    await makeDirectory(this.dir);
    const lock = await DirLock.acquire(join(this.dir, "evict.lock"), this.entryOptions.lock);
    try {
      const entries = (await this.scan()).entries.filter((e) => e.dir !== keepDir);
      let used = entries.reduce((sum, e) => sum + e.diskBytes, 0);
      entries.sort((a, b) => a.lastUsed.getTime() - b.lastUsed.getTime());
      for (const entry of entries) {
        if (used + need <= this.maxBytes) break;
        if (await this.evict(entry.dir)) used -= entry.diskBytes;
      }
      return used + need <= this.maxBytes;
    } finally {
      await lock.release();
    }
  }

  /**
   * Removes one entry unless it is locked or has a live lease. An entry this process may not
   * lock or move (another user's, in a cache several users share) is not evicted either: the
   * next one is tried, the cache is not given up for it.
   */
  private async evict(dir: string): Promise<boolean> {
    const lock = await DirLock.tryAcquire(join(dir, "lock"), this.entryOptions.lock)
      .catch((err: unknown) => {
        if (isReadOnlyError(err)) return undefined;
        throw err;
      });
    if (lock === undefined) return false;
    try {
      if ((await liveLeases(join(dir, "leases"), this.staleMs)).length > 0) return false;
      const trash = join(this.dir, "trash", `${randomUUID()}`);
      await mkdir(join(this.dir, "trash"), { recursive: true });
      await rename(dir, trash);
      await rm(trash, { recursive: true, force: true });
      return true;
    } catch (err) {
      if (isReadOnlyError(err)) return false;
      throw err;
    } finally {
      await lock.release();
    }
  }

  private async scan(): Promise<Scan> {
    const root = join(this.dir, "entries");
    // No folder yet is an empty cache; one this process may not list (EACCES: a cache another
    // user owns) is not: status and verify would call it empty and healthy, exit 0.
    const names = await readdir(root).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return [] as string[];
      throw Object.assign(new Error(`${root}: cannot list the cache's entries: ${err.code ?? err.message}`,
        { cause: err }), { code: err.code, path: root });
    });
    const found = await Promise.all(names.map((name) => this.describe(join(root, name))));
    const entries: CacheEntryStatus[] = [];
    const unreadable: UnreadableEntry[] = [];
    for (const e of found) {
      if (e === undefined) continue;
      if ("verdict" in e) unreadable.push(e);
      else entries.push(e);
    }
    return { entries, unreadable };
  }

  /**
   * The entry in `dir`; undefined for a folder without a usable meta.json (one being created,
   * or left by a crash before it had one); unreadable if meta.json cannot be read.
   */
  private async describe(dir: string): Promise<CacheEntryStatus | UnreadableEntry | undefined> {
    const text = await readFile(join(dir, "meta.json"), "utf8").catch((err: unknown) => err);
    if (typeof text !== "string") {
      const code = (text as NodeJS.ErrnoException).code;
      return code === "ENOENT" || code === "ENOTDIR" ? undefined
        : unreadableEntry(dir, namedFsError(text, join(dir, "meta.json")));
    }
    const meta = parseEntryMeta(text);
    if (meta === undefined) return undefined;
    const names = await readdir(dir).catch(() => [] as string[]);
    let diskBytes = 0;
    let complete = false;
    for (const name of names.filter((n) => n === "data" || n.endsWith(".part"))) {
      const info = await stat(join(dir, name)).catch(() => undefined);
      if (info === undefined) continue;
      // Part files are sparse: count the blocks really allocated.
      diskBytes += Math.min(info.size, info.blocks * 512);
      if (name === "data" && info.size === meta.size) complete = true;
    }
    // `data` is only an entry with its block sums (CacheEntry does not use it otherwise).
    if (complete) {
      const sums = await readSums(dir, meta.size).catch((err: unknown) => err as Error);
      if (sums instanceof Error) return unreadableEntry(dir, sums, meta);
      complete = typeof sums !== "string";
    }
    const side = await readFile(join(dir, "ranges.json"), "utf8").catch(() => undefined);
    const filledBytes = complete ? meta.size : filledOf(side);
    const used = await stat(join(dir, "used")).then((s) => s.mtimeMs, () => 0);
    const leaseMs = await newestLeaseMs(join(dir, "leases"));
    const inUse = (await liveLeases(join(dir, "leases"), this.staleMs)).length;
    const lastUsed = new Date(Math.max(used, leaseMs));
    return { ...meta, dir, complete, filledBytes, diskBytes, inUse, lastUsed };
  }
}

/** Why a `data` file in `dir` is no complete entry, or undefined if there is none. */
async function publishedDataProblem(dir: string, size: number): Promise<string | undefined> {
  const path = join(dir, "data");
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return undefined;
  if (info.size !== size) {
    return `${path}: ${info.size} bytes, expected ${size} (the object's size in meta.json): ` +
      `the file changed on disk after it was published`;
  }
  const sums = await readSums(dir, size);
  if (typeof sums !== "string") return undefined;
  return `${join(dir, "sums")}: ${sums.replace(/^sums: /, "")}: the block sums of ${path} ` +
    `cannot be used, so its bytes cannot be checked`;
}

function filledOf(sidecar: string | undefined): number {
  if (sidecar === undefined) return 0;
  try {
    return RangeSet.fromJSON((JSON.parse(sidecar) as { ranges?: unknown }).ranges).bytes;
  } catch {
    return 0;
  }
}

/**
 * "" once `discard` has removed a corrupt entry; on a cache this process cannot write (a
 * read-only mount), why it is still there.
 */
async function discardedOrWhyNot(discard: () => Promise<void>): Promise<string> {
  return discard().then(() => "", (e: unknown) => {
    if (!isReadOnlyError(e)) throw e;
    return ` (not discarded: the cache cannot be written here, ${String((e as NodeJS.ErrnoException).code)})`;
  });
}

/** The cache directory, or the entry's, cannot be written by this process. */
function isReadOnlyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "EROFS" || code === "EACCES" || code === "EPERM";
}

/** `err` (from reading the entry in `dir`) as an unreadable entry's verdict. */
function unreadableEntry(dir: string, err: unknown, meta?: EntryMeta): UnreadableEntry {
  return { ...meta, dir, verdict: "unreadable", problem: err instanceof Error ? err.message : String(err) };
}
