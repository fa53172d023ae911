import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { appendFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NasCache } from "../../../replay/sources/NasCache.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const emptyMeta = {
  bucket: "b",
  key: "empty.log",
  etag: `"${createHash("md5").update(new Uint8Array(0)).digest("hex")}"`,
  size: 0,
};

/** A cache holding the complete entry of an empty object; returns the cache and the entry's dir. */
async function cacheWithEmptyEntry(): Promise<{ cache: NasCache; dir: string }> {
  const root = mkdtempSync(join(tmpdir(), "roadrig-verify-"));
  dirs.push(root);
  const cache = new NasCache({ dir: root });
  const entry = await cache.openEntry(emptyMeta);
  if (entry === undefined) throw new Error("no entry");
  await entry.close();
  expect(entry.complete).toBe(true);
  return { cache, dir: entry.dir };
}

describe("NasCache.verify, an empty object's entry", () => {
  it("is ok as published", async () => {
    const { cache } = await cacheWithEmptyEntry();
    const verdicts = await cache.verify();
    expect(verdicts.map((v) => [v.key, v.verdict])).toEqual([["empty.log", "ok"]]);
  });

  it("whose data grew on disk is reported corrupt and discarded, and the check goes on", async () => {
    const { cache, dir } = await cacheWithEmptyEntry();
    await appendFile(join(dir, "data"), "x");
    const verdicts = await cache.verify();
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ key: "empty.log", verdict: "corrupt" });
    expect(verdicts[0]?.problem).toContain(`${join(dir, "data")}: 1 bytes, expected 0`);
    expect((await readdir(dir)).filter((n) => n.startsWith("data") || n === "sums")).toEqual([]);
  });

  it("whose sums are gone is reported corrupt and discarded", async () => {
    const { cache, dir } = await cacheWithEmptyEntry();
    await rm(join(dir, "sums"));
    const verdicts = await cache.verify();
    expect(verdicts.map((v) => [v.key, v.verdict])).toEqual([["empty.log", "corrupt"]]);
    expect((await readdir(dir)).filter((n) => n.startsWith("data") || n === "sums")).toEqual([]);
  });
});
