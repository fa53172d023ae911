import { Worker } from "node:worker_threads";
import { BLOCK_BYTES, BlockSums } from "./BlockSums.js";

/**
 * Bytes of chunks lent and not yet given back. Beyond it chunks are not lent (their bytes are
 * read back from the file instead): a worker short of CPU then holds no more chunk buffers
 * than this, which the reader would otherwise replace with new ones.
 */
const defaultLendBytes = 16 * 1024 * 1024;

/**
 * The worker's code, inline so that it runs the same from the build and from the sources.
 * It hashes the file from byte 0 on: the MD5 (if asked) and the CRC-32 of each block (as
 * BlockSummer does). Where a chunk was lent (shared memory, the bytes being
 * written) it hashes that in place; the rest it reads from the file, once written. A chunk
 * ahead of the hashed prefix waits, lent, until the bytes before it are hashed (the lender
 * bounds the bytes lent).
 */
const workerCode = `
const { parentPort, workerData } = require("node:worker_threads");
const { openSync, readSync, closeSync } = require("node:fs");
const { createHash } = require("node:crypto");
const { crc32 } = require("node:zlib");
// Opened at the first file read, inside its try: the file may be gone by then (another process
// took the entry over), and an error thrown here would be one nobody answers.
let fd;
let buf;
const hash = workerData.md5 ? createHash("md5") : undefined;
const blockBytes = workerData.blockBytes;
const crcs = [];
let crc = 0;
let inBlock = 0;
function feed(bytes) {
  if (hash !== undefined) hash.update(bytes);
  for (let at = 0; at < bytes.length;) {
    const take = Math.min(bytes.length - at, blockBytes - inBlock);
    crc = crc32(bytes.subarray(at, at + take), crc);
    inBlock += take;
    at += take;
    if (inBlock === blockBytes) {
      crcs.push(crc);
      crc = 0;
      inBlock = 0;
    }
  }
}
let pos = 0;
let fileEnd = 0;
let queue = [];
function giveBack(item) {
  parentPort.postMessage({ released: item.id });
}
function fromFile(end) {
  while (pos < end) {
    fd ??= openSync(workerData.path, "r");
    buf ??= Buffer.allocUnsafe(4 * 1024 * 1024);
    const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
    if (n === 0) throw new Error("file ends at byte " + pos + ", expected " + end);
    feed(buf.subarray(0, n));
    pos += n;
  }
}
function fromMemory() {
  let progressed = false;
  for (let again = true; again;) {
    again = false;
    queue = queue.filter((item) => {
      const end = item.start + item.view.length;
      if (item.start <= pos && end > pos) {
        feed(item.view.subarray(pos - item.start));
        pos = end;
        again = progressed = true;
      }
      if (end > pos) return true;
      giveBack(item);
      return false;
    });
  }
  return progressed;
}
function pump() {
  for (;;) {
    if (fromMemory()) continue;
    // Up to the next lent chunk only: from there the bytes are in memory.
    const next = Math.min(fileEnd, ...queue.map((item) => item.start));
    if (next <= pos) break;
    fromFile(next);
  }
}
parentPort.on("message", (m) => {
  try {
    if (m.view !== undefined) {
      queue.push(m);
    } else {
      fileEnd = Math.max(fileEnd, m.end);
    }
    pump();
    if (m.digest) {
      fromFile(m.end);
      for (const item of queue.splice(0)) giveBack(item);
      if (inBlock > 0) crcs.push(crc);
      const sums = Uint32Array.from(crcs);
      parentPort.postMessage({ md5: hash && hash.digest("hex"), sums }, [sums.buffer]);
      if (fd !== undefined) closeSync(fd);
    }
  } catch (err) {
    for (const item of queue.splice(0)) giveBack(item);
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;

interface Reply {
  readonly released?: number;
  readonly md5?: string;
  readonly sums?: Uint32Array;
  readonly error?: string;
}

/** What a filled file hashed to: its MD5 if it was asked for, and its block sums. */
export interface FileDigests {
  readonly md5: string | undefined;
  readonly sums: BlockSums;
}

/**
 * MD5 and block sums of a file that grows from its start, computed in a worker thread as bytes
 * are written, so that checking a cache entry against its ETag, and recording the sums its
 * readers check, cost the download nothing. Chunks in
 * shared memory can be lent as they are written: they are hashed in place, and the file is
 * read back only for the bytes never lent (ranges other processes filled, a chunk that came
 * too far ahead of the hashed prefix).
 */
export class FileDigest {
  private readonly worker: Worker;
  private posted = 0;
  private result: Promise<FileDigests> | undefined;
  private failure: Error | undefined;
  private nextLoan = 0;
  private readonly loans = new Map<number, () => void>();
  private lentBytes = 0;
  private answer: ((reply: Reply) => void) | undefined;
  private ended = false;

  constructor(
    path: string,
    private readonly options: { readonly md5: boolean; readonly lendBytes?: number },
  ) {
    const workerData = { path, md5: options.md5, blockBytes: BLOCK_BYTES };
    this.worker = new Worker(workerCode, { eval: true, workerData });
    // A background helper: it must not keep the process alive, nor end it when it fails.
    this.worker.unref();
    this.worker.on("message", (m: Reply) => this.onReply(m));
    this.worker.on("error", (err) => (this.failure = err));
    // A worker gone (ended, failed) reads no lent chunk any more.
    this.worker.on("exit", () => {
      this.ended = true;
      this.endLoans();
    });
  }

  /** Bytes [0, end) of the file are written and may be hashed now. */
  advance(end: number): void {
    if (end <= this.posted || this.result !== undefined) return;
    this.posted = end;
    this.worker.postMessage({ end });
  }

  /**
   * Lends the bytes at `start` (being written there) to be hashed in place, if they are in
   * shared memory; they must not change until the promise settles. Undefined if not lent.
   */
  lend(start: number, bytes: Uint8Array): Promise<void> | undefined {
    const shared = bytes.buffer instanceof SharedArrayBuffer;
    const room = this.lentBytes + bytes.length <= (this.options.lendBytes ?? defaultLendBytes);
    if (!shared || !room || this.result !== undefined || this.ended) return undefined;
    const id = this.nextLoan++;
    this.lentBytes += bytes.length;
    const returned = new Promise<void>((resolve) => this.loans.set(id, () => {
      this.lentBytes -= bytes.length;
      resolve();
    }));
    this.worker.postMessage({ id, start, view: bytes });
    return returned;
  }

  /** Hashes through `size` and gives the hex MD5 (if asked) and block sums; the worker ends. */
  digest(size: number): Promise<FileDigests> {
    this.result ??= new Promise<FileDigests>((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      this.answer = (m) => {
        if (m.sums === undefined) {
          reject(new Error(`digest of the cache entry: ${m.error ?? "no answer"}`));
          return;
        }
        try {
          resolve({ md5: m.md5, sums: new BlockSums(size, m.sums) });
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      };
      this.worker.once("error", reject);
      this.worker.postMessage({ end: size, digest: true });
    }).finally(() => void this.worker.terminate());
    return this.result;
  }

  close(): Promise<void> {
    return this.worker.terminate().then(() => this.endLoans());
  }

  private onReply(m: Reply): void {
    if (m.released !== undefined) {
      this.loans.get(m.released)?.();
      this.loans.delete(m.released);
      return;
    }
    // An error before the digest was asked for is kept for it; a later one answers it.
    if (this.answer !== undefined) this.answer(m);
    else if (m.error !== undefined) this.failure ??= new Error(`digest of the cache entry: ${m.error}`);
  }

  private endLoans(): void {
    for (const resolve of this.loans.values()) resolve();
    this.loans.clear();
  }
}
