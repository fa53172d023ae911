import { createHash, randomUUID } from "node:crypto";
import {
  mkdir, open, readFile, readdir, rename, rm, utimes, writeFile, type FileHandle,
} from "node:fs/promises";
import { join } from "node:path";
import { CacheEntryError } from "./CacheEntryError.js";
import { DirLock, type DirLockOptions } from "./DirLock.js";
import { BlockSummer, BlockSums } from "./BlockSums.js";
import { FileDigest, type FileDigests } from "./FileDigest.js";
import { md5OfEtag, parseEntryMeta, sameEntry, type EntryMeta } from "./EntryMeta.js";
import { Lease } from "./Lease.js";
import { RangeSet } from "./RangeSet.js";
import { syncDir, writeFileAtomic } from "./writeFileAtomic.js";

export interface CacheEntryOptions {
  readonly lock: DirLockOptions;
  readonly leaseHeartbeatMs: number;
  /** Check a single-part ETag's MD5 before publishing a complete entry. */
  readonly verifyMd5: boolean;
  /** Written ranges are recorded in the sidecar after this many bytes (and at close). */
  readonly flushBytes: number;
}

/** The sidecar: which part file is being filled, and which of its ranges are durable. */
interface Sidecar {
  readonly gen: string;
  readonly ranges: RangeSet;
}

/**
 * One object version in the cache directory. A partial entry is a sparse part file
 * `data.<gen>.part` plus `ranges.json`, the ranges of it that are on disk; several processes
 * on several hosts may fill it at once (same ETag, so the same bytes). Once every range is
 * there it is checked (size; MD5 against a single-part ETag) and renamed to `data`, with
 * `sums`, the CRC-32 of each block, beside it. A range is recorded only after its bytes were
 * synced, so a crash loses work, never vouches for missing bytes. Every read of a complete
 * entry checks the blocks it touches against `sums`: bytes changed on disk after publication
 * are an error (CacheEntryError), never data.
 */
export class CacheEntry {
  private readonly filled: RangeSet;
  private unrecorded = new RangeSet();
  private unrecordedBytes = 0;
  private flushing: Promise<void> = Promise.resolve();
  private flushFailure: Error | undefined;
  /** Handles replaced while reads or writes may still use them; closed at close(). */
  private readonly retired: FileHandle[] = [];
  private closed = false;
  private refreshedAt = -Infinity;
  /**
   * MD5 and block sums of the part file's filled prefix, hashed in a worker as it grows:
   * publishing then need not read the whole file back, and the download thread never hashes.
   */
  private hasher: FileDigest | undefined;
  /** The last block a read ended inside of, checked: the next read starts with it. */
  private lastBlock: { readonly index: number; readonly bytes: Uint8Array } | undefined;

  private constructor(
    readonly dir: string,
    readonly meta: EntryMeta,
    private readonly options: CacheEntryOptions,
    private handle: FileHandle,
    private gen: string | undefined,
    ranges: RangeSet,
    private readonly lease: Lease,
    /** Set once the entry is complete: what its blocks must sum to. */
    private sums: BlockSums | undefined,
  ) {
    this.filled = ranges;
    if (gen !== undefined && meta.size > 0) {
      const md5 = options.verifyMd5 && md5OfEtag(meta.etag) !== undefined;
      this.hasher = new FileDigest(join(dir, `data.${gen}.part`), { md5 });
      this.hasher.advance(filledPrefix(ranges));
    }
  }

  static async open(dir: string, meta: EntryMeta, options: CacheEntryOptions): Promise<CacheEntry> {
    await mkdir(dir, { recursive: true });
    const lock = await DirLock.acquire(join(dir, "lock"), options.lock);
    try {
      await ensureMeta(dir, meta);
      const lease = await Lease.take(join(dir, "leases"), options.leaseHeartbeatMs);
      try {
        const data = await openData(dir, meta);
        const now = new Date();
        await writeFile(join(dir, "used"), "").then(() => utimes(join(dir, "used"), now, now));
        return new CacheEntry(dir, meta, options, data.handle, data.gen, data.ranges, lease,
          data.sums);
      } catch (err) {
        await lease.release();
        throw err;
      }
    } finally {
      await lock.release();
    }
  }

  get complete(): boolean {
    return this.gen === undefined;
  }

  get filledBytes(): number {
    return this.complete ? this.meta.size : this.filled.bytes;
  }

  /** True while written bytes are hashed (MD5 check, block sums), and may be lent for it. */
  get hashing(): boolean {
    return this.hasher !== undefined && !this.complete && !this.closed;
  }

  covers(start: number, end: number): boolean {
    return this.complete || this.filled.covers(start, end);
  }

  /**
   * Picks up ranges other processes recorded, or their publishing of the entry. At most every
   * half second: a sequential miss after miss would otherwise read the sidecar each time.
   */
  async refresh(): Promise<void> {
    if (this.complete) return;
    const now = performance.now();
    if (now - this.refreshedAt < 500) return;
    this.refreshedAt = now;
    const side = await readSidecar(this.dir);
    if (side !== undefined && side.gen === this.gen) {
      this.filled.addAll(side.ranges);
      this.hasher?.advance(filledPrefix(this.filled));
      return;
    }
    await this.adoptPublished();
  }

  /**
   * Bytes [start, end), which must be covered. A short file, or a block of a complete entry
   * that no longer matches its sum, is an error, never data.
   */
  async read(start: number, end: number): Promise<Uint8Array> {
    const sums = this.sums;
    if (sums === undefined || this.gen !== undefined) {
      return this.readInto(new Uint8Array(end - start), 0, start);
    }
    // Whole blocks, each checked; the block the read ends inside of is kept for the next read.
    const first = sums.blockOf(start);
    const last = sums.blockOf(end - 1);
    const from = sums.rangeOf(first)[0];
    const to = sums.rangeOf(last)[1];
    const buf = new Uint8Array(to - from);
    let check = first;
    const kept = this.lastBlock;
    if (kept?.index === first) {
      buf.set(kept.bytes);
      check++;
    }
    const readFrom = sums.rangeOf(check)[0];
    if (check <= last) await this.readInto(buf, readFrom - from, readFrom);
    for (let i = check; i <= last; i++) {
      const [a, b] = sums.rangeOf(i);
      const bad = sums.mismatch(i, buf.subarray(a - from, b - from));
      if (bad !== undefined) {
        this.lastBlock = undefined;
        throw new CacheEntryError(this.dataPath(), a, `block ${i} (bytes ${a} to ${b}) has `
          + `CRC-32 ${hex(bad.found)}, its sum recorded at publication is ${hex(bad.expected)}: `
          + "the file changed on disk after it was verified");
      }
    }
    const lastStart = sums.rangeOf(last)[0];
    if (end < to) this.lastBlock = { index: last, bytes: buf.slice(lastStart - from) };
    return start === from && end === to ? buf : buf.slice(start - from, end - from);
  }

  /** Fills buf[at..] from the file at `position`; a short file is an error. */
  private async readInto(buf: Uint8Array, at: number, position: number): Promise<Uint8Array> {
    let done = at;
    while (done < buf.length) {
      const from = position + done - at;
      const { bytesRead } = await this.handle.read(buf, done, buf.length - done, from);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done < buf.length) {
      throw new CacheEntryError(this.dataPath(), position + done - at,
        `expected ${buf.length - at} bytes, found ${done - at} (file truncated)`);
    }
    return buf;
  }

  /**
   * Lends bytes about to be written at `start` to the MD5 worker, which then hashes them in
   * place instead of reading them back from the file. They must not change until the promise
   * settles. Undefined if not lent (no MD5 to check, or the bytes are not in shared memory).
   */
  lend(start: number, bytes: Uint8Array): Promise<void> | undefined {
    if (this.complete || this.closed) return undefined;
    return this.hasher?.lend(start, bytes);
  }

  /** Stores bytes fetched from S3 at `start`; records and publishes as enough accumulates. */
  async write(start: number, bytes: Uint8Array): Promise<void> {
    if (this.flushFailure !== undefined) throw this.flushFailure;
    if (this.complete || this.closed) return;
    let done = 0;
    while (done < bytes.length) {
      const at = start + done;
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, at)
        .catch((err: unknown) => {
          throw writeError(err, this.dataPath(), at, bytes.length - done);
        });
      done += bytesWritten;
    }
    this.filled.add(start, start + bytes.length);
    this.hasher?.advance(filledPrefix(this.filled));
    this.unrecorded.add(start, start + bytes.length);
    this.unrecordedBytes += bytes.length;
    const all = this.filled.covers(0, this.meta.size);
    // Recording syncs the disk: it runs behind the writes, and a failure surfaces on the next.
    if (all || this.unrecordedBytes >= this.options.flushBytes) {
      this.flush().catch((err: unknown) => {
        this.flushFailure ??= err instanceof Error ? err : new Error(String(err));
      });
    }
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.record());
    return this.flushing;
  }

  /** Drops the part file if it is still the current one: its bytes cannot be trusted. */
  async discard(): Promise<void> {
    const lock = await DirLock.acquire(join(this.dir, "lock"), this.options.lock);
    try {
      const side = await readSidecar(this.dir);
      if (this.gen !== undefined && side?.gen === this.gen) await removePart(this.dir, this.gen);
      if (this.complete) {
        await rm(join(this.dir, "data"), { force: true });
        await rm(join(this.dir, "sums"), { force: true });
      }
    } finally {
      await lock.release();
    }
  }

  /** Records what was written, releases the in-use lease. Throws a recording failure. */
  async close(): Promise<void> {
    if (this.closed) return;
    const failure = await this.flush().then(() => undefined, (err: unknown) =>
      err instanceof Error ? err : new Error("recording filled ranges failed", { cause: err }));
    this.closed = true;
    await this.hasher?.close();
    await this.lease.release();
    await this.handle.close();
    await Promise.all(this.retired.map((h) => h.close()));
    if (failure !== undefined) throw failure;
  }

  private async record(): Promise<void> {
    if (this.complete || this.gen === undefined) return;
    const batch = this.unrecorded;
    this.unrecorded = new RangeSet();
    this.unrecordedBytes = 0;
    if (batch.bytes === 0 && !this.filled.covers(0, this.meta.size)) return;
    // The data must be durable before the sidecar vouches for it.
    await this.handle.datasync();
    const lock = await DirLock.acquire(join(this.dir, "lock"), this.options.lock);
    try {
      const side = await readSidecar(this.dir);
      if (side === undefined || side.gen !== this.gen) return await this.adoptPublished();
      side.ranges.addAll(batch);
      this.filled.addAll(side.ranges);
      if (side.ranges.covers(0, this.meta.size)) await this.publish(this.gen);
      else await writeSidecar(this.dir, this.gen, side.ranges);
    } finally {
      await lock.release();
    }
  }

  /**
   * Under the entry lock: verify, write the block sums, then rename the part file to `data`
   * for every reader.
   */
  private async publish(gen: string): Promise<void> {
    const part = join(this.dir, `data.${gen}.part`);
    const { size } = await this.handle.stat();
    const md5 = this.options.verifyMd5 ? md5OfEtag(this.meta.etag) : undefined;
    const digests = size !== this.meta.size ? undefined : await this.digests(size);
    const found = md5 && digests?.md5;
    if (digests === undefined || found !== md5) {
      await removePart(this.dir, gen);
      const what = size !== this.meta.size
        ? `expected ${this.meta.size} bytes, found ${size}`
        : `expected MD5 ${md5 ?? ""} (the ETag), found ${found ?? ""}`;
      throw new CacheEntryError(part, 0, what);
    }
    // The sums go first: a `data` is never without them (a crash in between leaves the part
    // file and its sidecar, and the next publication writes them again).
    await writeFileAtomic(join(this.dir, "sums"), digests.sums.encode());
    await rename(part, join(this.dir, "data"));
    await syncDir(this.dir);
    await rm(join(this.dir, "ranges.json"), { force: true });
    this.gen = undefined;
    this.sums = digests.sums;
  }

  private async digests(size: number): Promise<FileDigests> {
    if (this.hasher !== undefined) {
      // The worker reads the part file by name; if it could not (the file was replaced under
      // it), the bytes are still here, through this entry's own handle.
      const digests = await this.hasher.digest(size).catch(() => undefined);
      if (digests !== undefined) return digests;
    }
    return digestsOf(this.handle, size);
  }

  /** Our part file is no longer current: use `data` if someone published it, else fail. */
  private async adoptPublished(): Promise<void> {
    const data = await openComplete(this.dir, this.meta);
    if (data === undefined) {
      throw new CacheEntryError(this.dataPath(), 0, "entry was discarded by another process");
    }
    this.retired.push(this.handle);
    this.handle = data.handle;
    this.sums = data.sums;
    this.gen = undefined;
    await this.hasher?.close();
    this.hasher = undefined;
  }

  private dataPath(): string {
    return join(this.dir, this.gen === undefined ? "data" : `data.${this.gen}.part`);
  }
}

async function ensureMeta(dir: string, meta: EntryMeta): Promise<void> {
  const path = join(dir, "meta.json");
  const found = parseEntryMeta(await readFile(path, "utf8").catch(() => ""));
  if (found !== undefined && sameEntry(found, meta)) return;
  if (found !== undefined || (await readdir(dir)).some((n) => n.startsWith("data"))) {
    // A meta.json that does not match, or data without one: start the entry afresh.
    for (const name of await readdir(dir)) {
      if (name.startsWith("data") || name === "ranges.json" || name === "sums") {
        await rm(join(dir, name), { force: true });
      }
    }
  }
  await writeFileAtomic(path, JSON.stringify({ ...meta, createdAt: new Date().toISOString() }));
}

interface OpenedData {
  readonly handle: FileHandle;
  readonly gen: string | undefined;
  readonly ranges: RangeSet;
  readonly sums?: BlockSums;
}

/** Under the entry lock: the complete file, else the current part file, else a new one. */
async function openData(dir: string, meta: EntryMeta): Promise<OpenedData> {
  const complete = await openComplete(dir, meta);
  if (complete !== undefined) return { ...complete, gen: undefined, ranges: new RangeSet() };
  await rm(join(dir, "data"), { force: true });
  await rm(join(dir, "sums"), { force: true });

  const side = await readSidecar(dir);
  if (side !== undefined) {
    const part = await open(join(dir, `data.${side.gen}.part`), "r+").catch(() => undefined);
    if (part !== undefined && (await part.stat()).size === meta.size) {
      return { handle: part, gen: side.gen, ranges: side.ranges };
    }
    await part?.close();
    await removePart(dir, side.gen);
  }
  const gen = randomUUID();
  const handle = await open(join(dir, `data.${gen}.part`), "wx+");
  try {
    await handle.truncate(meta.size);
    await writeSidecar(dir, gen, new RangeSet());
    return { handle, gen, ranges: new RangeSet() };
  } catch (err) {
    await handle.close();
    await rm(join(dir, `data.${gen}.part`), { force: true });
    throw err;
  }
}

/**
 * `data` if it has the right size and its block sums; a truncated one, or one without usable
 * sums, is no entry at all.
 */
async function openComplete(
  dir: string,
  meta: EntryMeta,
): Promise<{ handle: FileHandle; sums: BlockSums } | undefined> {
  const handle = await open(join(dir, "data"), "r").catch(() => undefined);
  if (handle === undefined) return undefined;
  const sums = await readSums(dir, meta.size);
  if (typeof sums !== "string" && (await handle.stat()).size === meta.size) return { handle, sums };
  await handle.close();
  return undefined;
}

/** The entry's block sums, or why they cannot be used. */
export async function readSums(dir: string, size: number): Promise<BlockSums | string> {
  const bytes = await readFile(join(dir, "sums")).catch((err: NodeJS.ErrnoException) => err.code ?? String(err));
  return typeof bytes === "string" ? `sums: ${bytes}` : BlockSums.decode(bytes, size);
}

async function readSidecar(dir: string): Promise<Sidecar | undefined> {
  try {
    const v = JSON.parse(await readFile(join(dir, "ranges.json"), "utf8")) as Record<string, unknown>;
    if (typeof v.gen !== "string") return undefined;
    return { gen: v.gen, ranges: RangeSet.fromJSON(v.ranges) };
  } catch {
    return undefined;
  }
}

function writeSidecar(dir: string, gen: string, ranges: RangeSet): Promise<void> {
  return writeFileAtomic(join(dir, "ranges.json"), JSON.stringify({ gen, ranges: ranges.list }));
}

async function removePart(dir: string, gen: string): Promise<void> {
  await rm(join(dir, "ranges.json"), { force: true });
  await rm(join(dir, `data.${gen}.part`), { force: true });
}

/** Where the filled bytes from byte 0 end: the part the hasher may read. */
function filledPrefix(ranges: RangeSet): number {
  const first = ranges.list[0];
  return first !== undefined && first[0] === 0 ? first[1] : 0;
}

/** MD5 and block sums of the file, read through `handle` on this thread. */
async function digestsOf(handle: FileHandle, size: number): Promise<FileDigests> {
  const hash = createHash("md5");
  const summer = new BlockSummer();
  const buf = new Uint8Array(Math.max(1, Math.min(size, 8 * 1024 * 1024)));
  for (let pos = 0; pos < size;) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - pos), pos);
    if (bytesRead === 0) break;
    hash.update(buf.subarray(0, bytesRead));
    summer.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return { md5: hash.digest("hex"), sums: summer.finish(size) };
}

/**
 * A failed write of the part file, naming it and the offset (Node's own message says only
 * "ENOSPC: no space left on device, write"); `code` is kept for the warning's reason.
 */
function writeError(err: unknown, path: string, at: number, length: number): Error {
  const e = err as NodeJS.ErrnoException;
  const why = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(`${path}: writing ${length} bytes at byte offset ${at}: ${why}`,
    { cause: err }), { code: e.code, errno: e.errno, syscall: e.syscall, path });
}

function hex(crc: number): string {
  return crc.toString(16).padStart(8, "0");
}
