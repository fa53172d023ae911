import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileMd5 } from "../../../replay/sources/FileMd5.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "roadrig-md5-"));
  dirs.push(dir);
  return dir;
}

describe("FileMd5", () => {
  it("hashes a file as it grows, to the same digest as a one-shot MD5", async () => {
    const path = join(scratch(), "data.part");
    const bytes = Buffer.alloc(3_000_000, 7);
    writeFileSync(path, bytes.subarray(0, 1_000_000));
    const md5 = new FileMd5(path);
    md5.advance(1_000_000);
    writeFileSync(path, bytes);
    expect(await md5.digest(bytes.length)).toBe(createHash("md5").update(bytes).digest("hex"));
  });

  it("rejects, without ending the process, when the file is gone before it is read", async () => {
    const md5 = new FileMd5(join(scratch(), "taken-over.part"));
    md5.advance(10);
    await expect(md5.digest(10)).rejects.toThrow(/ENOENT/);
  });

  it("rejects when the file is shorter than the size asked for", async () => {
    const path = join(scratch(), "short.part");
    writeFileSync(path, "abc");
    await expect(new FileMd5(path).digest(10)).rejects.toThrow(/file ends at byte 3, expected 10/);
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

describe("FileMd5 with lent chunks", () => {
  it("hashes lent chunks in place, in any order, without reading the file", async () => {
    const bytes = pattern(40_000);
    // The file does not exist: every byte must come from the lent chunks.
    const md5 = new FileMd5(join(scratch(), "never-written.part"));
    const loans = [3, 0, 2, 1].map((i) => md5.lend(i * 10_000,
      shared(bytes.subarray(i * 10_000, (i + 1) * 10_000))));
    expect(loans.every((loan) => loan !== undefined)).toBe(true);
    expect(await md5.digest(bytes.length)).toBe(createHash("md5").update(bytes).digest("hex"));
    await Promise.all(loans.map((loan) => loan ?? Promise.reject(new Error("not lent"))));
  });

  it("reads from the file the bytes between lent chunks once they are written", async () => {
    const bytes = pattern(50_000);
    const path = join(scratch(), "mixed.part");
    writeFileSync(path, bytes);
    const md5 = new FileMd5(path);
    // Lent: [10k, 20k) and [30k, 50k); from the file: [0, 10k) and [20k, 30k).
    const a = md5.lend(30_000, shared(bytes.subarray(30_000)));
    const b = md5.lend(10_000, shared(bytes.subarray(10_000, 20_000)));
    md5.advance(bytes.length);
    expect(await md5.digest(bytes.length)).toBe(createHash("md5").update(bytes).digest("hex"));
    await Promise.all([a, b]);
  });

  it("hashes a changed byte in a lent chunk into a different digest", async () => {
    const bytes = pattern(20_000);
    const md5 = new FileMd5(join(scratch(), "never-written.part"));
    const flipped = shared(bytes);
    flipped[12_345] = (flipped[12_345] ?? 0) ^ 1;
    const loan = md5.lend(0, flipped);
    expect(await md5.digest(bytes.length)).not.toBe(
      createHash("md5").update(bytes).digest("hex"));
    await loan;
  });

  it("gives a chunk back once hashed, and a chunk waiting for a gap when closed", async () => {
    const md5 = new FileMd5(join(scratch(), "gap.part"));
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
    const md5 = new FileMd5(join(scratch(), "bound.part"), 150);
    expect(md5.lend(0, pattern(100))).toBeUndefined();
    const held = md5.lend(1_000, shared(pattern(100)));
    expect(held).toBeDefined();
    expect(md5.lend(0, shared(pattern(100)))).toBeUndefined();
    await md5.close();
    await held;
    expect(md5.lend(0, shared(pattern(100)))).toBeUndefined();
  });
});
