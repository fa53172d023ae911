import { Worker } from "node:worker_threads";

/**
 * The worker's code, inline so that it runs the same from the build and from the sources. It
 * reads the file itself (the bytes are in the page cache, just written), so the main thread
 * neither hashes nor copies anything for it.
 */
const workerCode = `
const { parentPort, workerData } = require("node:worker_threads");
const { openSync, readSync, closeSync } = require("node:fs");
const { createHash } = require("node:crypto");
// Opened at the first request, inside its try: the file may be gone by then (another process
// took the entry over), and an error thrown here would be one nobody answers.
let fd;
const hash = createHash("md5");
const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
let pos = 0;
function upTo(end) {
  if (fd === undefined) fd = openSync(workerData.path, "r");
  while (pos < end) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
    if (n === 0) throw new Error("file ends at byte " + pos + ", expected " + end);
    hash.update(buf.subarray(0, n));
    pos += n;
  }
}
parentPort.on("message", (m) => {
  try {
    upTo(m.end);
    if (m.digest) {
      parentPort.postMessage({ md5: hash.digest("hex") });
      closeSync(fd);
    }
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;

/**
 * MD5 of a file that grows from its start, computed in a worker thread as bytes are written,
 * so that checking a cache entry against its ETag costs the download nothing.
 */
export class FileMd5 {
  private readonly worker: Worker;
  private posted = 0;
  private result: Promise<string> | undefined;

  private failure: Error | undefined;

  constructor(path: string) {
    this.worker = new Worker(workerCode, { eval: true, workerData: { path } });
    // A background helper: it must not keep the process alive, nor end it when it fails.
    this.worker.unref();
    this.worker.on("error", (err) => (this.failure = err));
  }

  /** Bytes [0, end) of the file are written and may be hashed now. */
  advance(end: number): void {
    if (end <= this.posted || this.result !== undefined) return;
    this.posted = end;
    this.worker.postMessage({ end });
  }

  /** Hashes through `size` and gives the hex digest; the worker ends after it. */
  digest(size: number): Promise<string> {
    this.result ??= new Promise<string>((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      this.worker.once("message", (m: { md5?: string; error?: string }) => {
        if (m.md5 !== undefined) resolve(m.md5);
        else reject(new Error(`MD5 of the cache entry: ${m.error ?? "no answer"}`));
      });
      this.worker.once("error", reject);
      this.worker.postMessage({ end: size, digest: true });
    }).finally(() => void this.worker.terminate());
    return this.result;
  }

  close(): Promise<void> {
    return this.worker.terminate().then(() => undefined);
  }
}
