import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BLOCK_BYTES, BlockSummer } from "../../../replay/sources/BlockSums.js";
import { FileDigest } from "../../../replay/sources/FileDigest.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "roadrig-md5-"));
  dirs.push(dir);
  return dir;
}

describe("FileDigest", () => {
  it("hashes a file as it grows, to the same digest as a one-shot MD5", async () => {
    const path = join(scratch(), "data.part");
    const bytes = Buffer.alloc(3_000_000, 7);
    writeFileSync(path, bytes.subarray(0, 1_000_000));
    const md5 = new FileDigest(path, { md5: true });
    md5.advance(1_000_000);
    writeFileSync(path, bytes);
    expect((await md5.digest(bytes.length)).md5).toBe(createHash("md5").update(bytes).digest("hex"));
  });

  it("rejects, without ending the process, when the file is gone before it is read", async () => {
    const md5 = new FileDigest(join(scratch(), "taken-over.part"), { md5: true });
    md5.advance(10);
    await expect(md5.digest(10)).rejects.toThrow(/ENOENT/);
  });

  it("rejects when the file is shorter than the size asked for", async () => {
    const path = join(scratch(), "short.part");
    writeFileSync(path, "abc");
    await expect(new FileDigest(path, { md5: true }).digest(10))
      .rejects.toThrow(/file ends at byte 3, expected 10/);
  });
});

/** `bytes` copied into shared memory, as the S3 source fetches chunks for a cache. */
function shared(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(bytes.length));
  out.set(bytes);
  return out;
}

function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
}

describe("FileDigest with lent chunks", () => {
  it("hashes lent chunks in place, in any order, without reading the file", async () => {
    const bytes = pattern(40_000);
    // The file does not exist: every byte must come from the lent chunks.
    const md5 = new FileDigest(join(scratch(), "never-written.part"), { md5: true });
    const loans = [3, 0, 2, 1].map((i) => md5.lend(i * 10_000,
      shared(bytes.subarray(i * 10_000, (i + 1) * 10_000))));
    expect(loans.every((loan) => loan !== undefined)).toBe(true);
    expect((await md5.digest(bytes.length)).md5).toBe(createHash("md5").update(bytes).digest("hex"));
    await Promise.all(loans.map((loan) => loan ?? Promise.reject(new Error("not lent"))));
  });

  it("reads from the file the bytes between lent chunks once they are written", async () => {
    const bytes = pattern(50_000);
    const path = join(scratch(), "mixed.part");
    writeFileSync(path, bytes);
    const md5 = new FileDigest(path, { md5: true });
    // Lent: [10k, 20k) and [30k, 50k); from the file: [0, 10k) and [20k, 30k).
    const a = md5.lend(30_000, shared(bytes.subarray(30_000)));
    const b = md5.lend(10_000, shared(bytes.subarray(10_000, 20_000)));
    md5.advance(bytes.length);
    expect((await md5.digest(bytes.length)).md5).toBe(createHash("md5").update(bytes).digest("hex"));
    await Promise.all([a, b]);
  });

  it("hashes a changed byte in a lent chunk into a different digest", async () => {
    const bytes = pattern(20_000);
    const md5 = new FileDigest(join(scratch(), "never-written.part"), { md5: true });
    const flipped = shared(bytes);
    flipped[12_345] = (flipped[12_345] ?? 0) ^ 1;
    const loan = md5.lend(0, flipped);
    expect((await md5.digest(bytes.length)).md5).not.toBe(
      createHash("md5").update(bytes).digest("hex"));
    await loan;
  });

  it("sums blocks across lent chunks and file bytes as a one-shot pass does, MD5 off too", async () => {
    const bytes = pattern(3 * BLOCK_BYTES + 5);
    const path = join(scratch(), "sums.part");
    writeFileSync(path, bytes);
    const digest = new FileDigest(path, { md5: false });
    // Lent chunks that straddle block boundaries; the rest is read from the file.
    const straddling = shared(bytes.subarray(BLOCK_BYTES - 100, BLOCK_BYTES + 100));
    const a = digest.lend(BLOCK_BYTES - 100, straddling);
    const b = digest.lend(2 * BLOCK_BYTES + 1, shared(bytes.subarray(2 * BLOCK_BYTES + 1)));
    digest.advance(bytes.length);
    const found = await digest.digest(bytes.length);
    const summer = new BlockSummer();
    summer.update(bytes);
    expect(found.md5).toBeUndefined();
    expect([...found.sums.crcs]).toEqual([...summer.finish(bytes.length).crcs]);
    expect(found.sums.crcs.length).toBe(4);
    await Promise.all([a, b]);
  });

  it("gives a chunk back once hashed, and a chunk waiting for a gap when closed", async () => {
    const md5 = new FileDigest(join(scratch(), "gap.part"), { md5: true });
    let first = false;
    let ahead = false;
    const hashed = md5.lend(0, shared(pattern(100)))?.then(() => (first = true));
    const waiting = md5.lend(1_000, shared(pattern(100)))?.then(() => (ahead = true));
    await hashed;
    expect([first, ahead]).toEqual([true, false]);
    await md5.close();
    await waiting;
    expect(ahead).toBe(true);
  });

  it("lends only shared memory, and no more bytes at once than its bound", async () => {
    const md5 = new FileDigest(join(scratch(), "bound.part"), { md5: true, lendBytes: 150 });
    expect(md5.lend(0, pattern(100))).toBeUndefined();
    const held = md5.lend(1_000, shared(pattern(100)));
    expect(held).toBeDefined();
    expect(md5.lend(0, shared(pattern(100)))).toBeUndefined();
    await md5.close();
    await held;
    expect(md5.lend(0, shared(pattern(100)))).toBeUndefined();
  });
});
