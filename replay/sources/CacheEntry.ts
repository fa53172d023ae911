import { createHash, randomUUID } from "node:crypto";
import {
  open, readFile, readdir, rename, rm, utimes, writeFile, type FileHandle,
} from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { makeDirectory } from "../../drivers/fs/makeDirectory.js";
import { CacheEntryError } from "./CacheEntryError.js";
import { DirLock, type DirLockOptions } from "./DirLock.js";
import { BLOCK_BYTES, blockRange, BlockSummer, BlockSums, sumsOfWhole } from "./BlockSums.js";
import { FileDigest, type FileDigests } from "./FileDigest.js";
import { md5OfEtag, parseEntryMeta, sameEntry, type EntryMeta } from "./EntryMeta.js";
import { Lease } from "./Lease.js";
import { RangeSet } from "./RangeSet.js";
import { namedFsError } from "./namedFsError.js";
import { syncDir, writeFileAtomic } from "./writeFileAtomic.js";

export interface CacheEntryOptions {
  readonly lock: DirLockOptions;
  readonly leaseHeartbeatMs: number;
  /** Check a single-part ETag's MD5 before publishing a complete entry. */
  readonly verifyMd5: boolean;
  /** Written ranges are recorded in the sidecar after this many bytes (and at close). */
  readonly flushBytes: number;
}

/**
 * The sidecar: which part file is being filled, which of its ranges are durable, and the
 * CRC-32 of each whole block written (block index → sum), which every read of it checks.
 */
interface Sidecar {
  readonly gen: string;
  readonly ranges: RangeSet;
  readonly sums: Map<number, number>;
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
  /** Sums of the part file's blocks, as written (here or by others): reads check them. */
  private readonly partSums: Map<number, number>;
  private unrecordedSums = new Map<number, number>();
  private unrecorded = new RangeSet();
  private unrecordedBytes = 0;
  private flushing: Promise<void> = Promise.resolve();
  private flushFailure: Error | undefined;
  /** Handles replaced while reads or writes may still use them; closed at close(). */
  private readonly retired: FileHandle[] = [];
  private closed = false;
  /** Set by discard(): its part file is gone, nothing is left to record or publish. */
  private discarded = false;
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
    partSums: Map<number, number>,
    private readonly lease: Pick<Lease, "release">,
    /** Set once the entry is complete: what its blocks must sum to. */
    private sums: BlockSums | undefined,
  ) {
    this.filled = ranges;
    this.partSums = partSums;
    if (gen !== undefined && meta.size > 0) {
      const md5 = options.verifyMd5 && md5OfEtag(meta.etag) !== undefined;
      this.hasher = new FileDigest(join(dir, `data.${gen}.part`), { md5 });
      this.hasher.advance(filledPrefix(ranges));
    }
  }

  static async open(dir: string, meta: EntryMeta, options: CacheEntryOptions): Promise<CacheEntry> {
    // Not Node's recursive mkdir: on a read-only mount it reports ENOENT, not EROFS.
    await makeDirectory(dir);
    const lock = await DirLock.acquire(join(dir, "lock"), options.lock);
    try {
      await ensureMeta(dir, meta);
      const lease = await Lease.take(join(dir, "leases"), options.leaseHeartbeatMs);
      try {
        const data = await openData(dir, meta);
        const now = new Date();
        await writeFile(join(dir, "used"), "").then(() => utimes(join(dir, "used"), now, now));
        return new CacheEntry(dir, meta, options, data.handle, data.gen, data.ranges,
          data.partSums, lease, data.sums);
      } catch (err) {
        await lease.release();
        throw err;
      }
    } finally {
      await lock.release();
    }
  }

  /**
   * A complete entry in a cache this process may not write (a read-only NAS mount that another
   * host fills): read without lock or lease, each block still checked against its sums.
   * Undefined unless the entry is there, complete.
   */
  static async openReadOnly(
    dir: string,
    meta: EntryMeta,
    options: CacheEntryOptions,
  ): Promise<CacheEntry | undefined> {
    const found = parseEntryMeta(await readFile(join(dir, "meta.json"), "utf8").catch(() => ""));
    if (found === undefined || !sameEntry(found, meta)) return undefined;
    const data = await openComplete(dir, meta);
    if (data === undefined) return undefined;
    const noLease = { release: () => Promise.resolve() };
    return new CacheEntry(dir, meta, options, data.handle, undefined, new RangeSet(), new Map(),
      noLease, data.sums);
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

  /** True if [start, end) is on disk (it may not be readable yet: see readable). */
  covers(start: number, end: number): boolean {
    return this.complete || this.filled.covers(start, end);
  }

  /**
   * True if [start, end) can be read: on disk, and every block it touches has a sum to check
   * it against (a block only partly written has none, and is read from S3).
   */
  readable(start: number, end: number): boolean {
    if (this.complete) return true;
    if (!this.filled.covers(start, end)) return false;
    for (let i = Math.floor(start / BLOCK_BYTES); i * BLOCK_BYTES < end; i++) {
      if (!this.partSums.has(i)) return false;
    }
    return true;
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
      for (const [i, crc] of side.sums) this.partSums.set(i, crc);
      this.hasher?.advance(filledPrefix(this.filled));
      return;
    }
    await this.adoptPublished();
  }

  /**
   * Bytes [start, end), which must be readable. Whole blocks are read and each is checked
   * against its sum: a short file, or a block that changed on disk since it was written
   * (partial entry) or published (complete one), is an error, never data.
   */
  async read(start: number, end: number): Promise<Uint8Array> {
    const size = this.meta.size;
    const first = Math.floor(start / BLOCK_BYTES);
    const last = Math.floor((end - 1) / BLOCK_BYTES);
    const from = blockRange(first, size)[0];
    const to = blockRange(last, size)[1];
    const buf = new Uint8Array(to - from);
    // The block the last read ended inside of was checked then: the next read starts with it.
    let check = first;
    const kept = this.lastBlock;
    if (kept?.index === first) {
      buf.set(kept.bytes);
      check++;
    }
    const readFrom = blockRange(check, size)[0];
    if (check <= last) await this.readInto(buf, readFrom - from, readFrom);
    for (let i = check; i <= last; i++) this.checkBlock(i, buf, from);
    const lastStart = blockRange(last, size)[0];
    if (end < to) this.lastBlock = { index: last, bytes: buf.slice(lastStart - from) };
    return start === from && end === to ? buf : buf.slice(start - from, end - from);
  }

  /** Block `i`, at buf[blockStart - from], against its sum. */
  private checkBlock(i: number, buf: Uint8Array, from: number): void {
    const [a, b] = blockRange(i, this.meta.size);
    const expected = this.complete ? this.sums?.crcs[i] : this.partSums.get(i);
    if (expected === undefined) {
      // readable() said otherwise: a bug, not a bad file (the entry is not condemned for it).
      throw new Error(`${this.dataPath()}: block ${i} has no sum to check it against`);
    }
    const found = crc32(buf.subarray(a - from, b - from));
    if (found === expected) return;
    this.lastBlock = undefined;
    const when = this.complete
      ? "at publication is %s: the file changed on disk after it was verified"
      : "when it was written is %s: the part file changed on disk after it was written";
    throw new CacheEntryError(this.dataPath(), a, `block ${i} (bytes ${a} to ${b}) has CRC-32 `
      + `${hex(found)}, its sum recorded ${when.replace("%s", hex(expected))}`);
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
    // Sums of the whole blocks written, from the bytes as they were handed to the disk.
    for (const [i, crc] of sumsOfWhole(start, bytes, this.meta.size)) {
      this.partSums.set(i, crc);
      this.unrecordedSums.set(i, crc);
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
      this.discarded = true;
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
    // An empty object's part file is whole as soon as it exists, so without this a discarded
    // one would try to publish at close and fail on its removed part file.
    if (this.complete || this.gen === undefined || this.discarded) return;
    const batch = this.unrecorded;
    const batchSums = this.unrecordedSums;
    this.unrecorded = new RangeSet();
    this.unrecordedSums = new Map();
    this.unrecordedBytes = 0;
    if (batch.bytes === 0 && !this.filled.covers(0, this.meta.size)) return;
    // The data must be durable before the sidecar vouches for it.
    await this.handle.datasync();
    const lock = await DirLock.acquire(join(this.dir, "lock"), this.options.lock);
    try {
      const side = await readSidecar(this.dir);
      if (side === undefined || side.gen !== this.gen) return await this.adoptPublished();
      side.ranges.addAll(batch);
      for (const [i, crc] of batchSums) side.sums.set(i, crc);
      this.filled.addAll(side.ranges);
      for (const [i, crc] of side.sums) this.partSums.set(i, crc);
      if (side.ranges.covers(0, this.meta.size)) await this.publish(this.gen);
      else await writeSidecar(this.dir, this.gen, side.ranges, side.sums);
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
    // Blocks whose bytes changed after they were written (the only check where the ETag is
    // not an MD5: multipart uploads, SSE-KMS).
    for (const [i, crc] of this.partSums) {
      const now = digests.sums.crcs[i];
      if (now === crc) continue;
      await removePart(this.dir, gen);
      const [a, b] = blockRange(i, this.meta.size);
      throw new CacheEntryError(part, a, `block ${i} (bytes ${a} to ${b}) was written with `
        + `CRC-32 ${hex(crc)}, the part file now gives ${hex(now ?? 0)}`);
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
  readonly partSums: Map<number, number>;
  readonly sums?: BlockSums;
}

/** Under the entry lock: the complete file, else the current part file, else a new one. */
async function openData(dir: string, meta: EntryMeta): Promise<OpenedData> {
  const complete = await openComplete(dir, meta);
  if (complete !== undefined) {
    return { ...complete, gen: undefined, ranges: new RangeSet(), partSums: new Map() };
  }
  await rm(join(dir, "data"), { force: true });
  await rm(join(dir, "sums"), { force: true });

  const side = await readSidecar(dir);
  if (side !== undefined) {
    const part = await open(join(dir, `data.${side.gen}.part`), "r+").catch(() => undefined);
    if (part !== undefined && (await part.stat()).size === meta.size) {
      return { handle: part, gen: side.gen, ranges: side.ranges, partSums: side.sums };
    }
    await part?.close();
    await removePart(dir, side.gen);
  }
  const gen = randomUUID();
  const handle = await open(join(dir, `data.${gen}.part`), "wx+");
  try {
    await handle.truncate(meta.size);
    await writeSidecar(dir, gen, new RangeSet(), new Map());
    return { handle, gen, ranges: new RangeSet(), partSums: new Map() };
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
  // Only a missing `data` is no entry. One this process may not open (another user's, mode
  // 600) is an error: taken for missing, the entry was emptied into a new part file.
  const handle = await open(join(dir, "data"), "r").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw namedFsError(err, join(dir, "data"));
  });
  if (handle === undefined) return undefined;
  try {
    const sums = await readSums(dir, meta.size);
    if (typeof sums !== "string" && (await handle.stat()).size === meta.size) return { handle, sums };
  } catch (err) {
    await handle.close();
    throw err;
  }
  await handle.close();
  return undefined;
}

/**
 * The entry's block sums, or why they cannot be used (missing, or damaged). A sums file that
 * cannot be read (EACCES, EIO) throws: it says nothing about the entry's bytes, and taking it
 * for damaged would discard another user's entry.
 */
export async function readSums(dir: string, size: number): Promise<BlockSums | string> {
  const path = join(dir, "sums");
  const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT" || typeof err.code !== "string") return err.code ?? String(err);
    throw namedFsError(err, path);
  });
  return typeof bytes === "string" ? `sums: ${bytes}` : BlockSums.decode(bytes, size);
}

async function readSidecar(dir: string): Promise<Sidecar | undefined> {
  try {
    const v = JSON.parse(await readFile(join(dir, "ranges.json"), "utf8")) as Record<string, unknown>;
    if (typeof v.gen !== "string") return undefined;
    return { gen: v.gen, ranges: RangeSet.fromJSON(v.ranges), sums: sumsFromJSON(v.sums) };
  } catch {
    return undefined;
  }
}

/**
 * `[[block, crc], ...]`; anything else reads as no sums, which leaves those blocks to S3 until
 * the entry is published (never an unchecked read).
 */
function sumsFromJSON(value: unknown): Map<number, number> {
  const sums = new Map<number, number>();
  if (!Array.isArray(value)) return sums;
  for (const pair of value as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) return new Map();
    const [i, crc] = pair as unknown[];
    if (!Number.isSafeInteger(i) || !Number.isSafeInteger(crc)) return new Map();
    sums.set(i as number, crc as number);
  }
  return sums;
}

function writeSidecar(
  dir: string,
  gen: string,
  ranges: RangeSet,
  sums: Map<number, number>,
): Promise<void> {
  const text = JSON.stringify({ gen, ranges: ranges.list, sums: [...sums] });
  return writeFileAtomic(join(dir, "ranges.json"), text);
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
