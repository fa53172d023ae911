import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import type * as FsPromises from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NasCache } from "../../../replay/sources/NasCache.js";
import { putCompleteEntry } from "../../support/cacheEntries.js";

// The cache's `entries` folder cannot be listed, as for a user who may not read a cache
// directory another user owns (mode 700): the tests run as root, who may read anything.
// Likewise single files (`files`: read, open, access) and new folders under an entry (`under`:
// its lock), as for an entry another user wrote with modes 600 and 700.
const denied = vi.hoisted(() => ({ path: "", files: new Set<string>(), under: "" }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  const refuse = (syscall: string, path: string) => Promise.reject(Object.assign(
    new Error(`EACCES: permission denied, ${syscall} '${path}'`),
    { code: "EACCES", errno: -13, syscall, path }));
  return {
    ...fs,
    readdir: (...args: Parameters<typeof fs.readdir>) => {
      if (denied.path !== "" && String(args[0]) === denied.path) {
        return refuse("scandir", denied.path);
      }
      return fs.readdir(...args);
    },
    readFile: (...args: Parameters<typeof fs.readFile>) => {
      const path = typeof args[0] === "string" ? args[0] : "";
      return denied.files.has(path) ? refuse("open", path) : fs.readFile(...args);
    },
    open: (...args: Parameters<typeof fs.open>) => {
      const path = String(args[0]);
      return denied.files.has(path) ? refuse("open", path) : fs.open(...args);
    },
    access: (...args: Parameters<typeof fs.access>) => {
      const path = String(args[0]);
      return denied.files.has(path) ? refuse("access", path) : fs.access(...args);
    },
    mkdir: (...args: Parameters<typeof fs.mkdir>) => {
      const path = String(args[0]);
      if (denied.under !== "" && path.startsWith(`${denied.under}/`)) return refuse("mkdir", path);
      return fs.mkdir(...args);
    },
  };
});

const dirs: string[] = [];
afterEach(() => {
  denied.path = "";
  denied.files.clear();
  denied.under = "";
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A cache holding one complete entry. */
async function cacheWithEntry(): Promise<NasCache> {
  const root = mkdtempSync(join(tmpdir(), "roadrig-unreadable-"));
  dirs.push(root);
  const cache = new NasCache({ dir: root });
  await addEntry(cache, "a.log");
  return cache;
}

/** Adds a complete entry for `key`; its folder. */
function addEntry(cache: NasCache, key: string): Promise<string> {
  return putCompleteEntry(cache, key, new TextEncoder().encode(`bytes of ${key}`));
}

describe("NasCache whose entries cannot be listed", () => {
  it("status and verify fail naming the folder, not report an empty, healthy cache", async () => {
    const cache = await cacheWithEntry();
    const entries = join(cache.dir, "entries");
    denied.path = entries;
    await expect(cache.status()).rejects.toMatchObject({
      code: "EACCES", message: expect.stringContaining(entries) as unknown,
    });
    await expect(cache.verify()).rejects.toMatchObject({
      code: "EACCES", message: expect.stringContaining(entries) as unknown,
    });
  });

  it("a cache without an entries folder yet is an empty one", async () => {
    const root = mkdtempSync(join(tmpdir(), "roadrig-unreadable-"));
    dirs.push(root);
    const cache = new NasCache({ dir: root });
    expect((await cache.status()).entries).toEqual([]);
    expect(await cache.verify()).toEqual([]);
  });

  it("verify reports an entry whose data it may not read, and still checks the others", async () => {
    const cache = await cacheWithEntry();
    const other = await addEntry(cache, "b.log");
    denied.under = other;
    denied.files.add(join(other, "data"));
    const verdicts = await cache.verify();
    expect(verdicts.map((v) => [v.key, v.verdict]).sort()).toEqual([["a.log", "ok"], ["b.log", "unreadable"]]);
    const bad = verdicts.find((v) => v.verdict === "unreadable");
    expect(bad).toMatchObject({ dir: other, bucket: "b" });
    expect(bad?.problem).toContain(`EACCES: permission denied, access '${join(other, "data")}'`);
  });

  // A shared cache folder (group-writable), one entry's data or sums written by another user
  // (600): the lock can be taken, only that file cannot be read. That is no sign of a missing
  // or damaged entry: it must not be emptied into a new part file, discarded, or called ok.
  it.each(["data", "sums"])("verify keeps an entry whose %s it may not read, and reports it", async (file) => {
    const cache = await cacheWithEntry();
    const other = await addEntry(cache, "b.log");
    denied.files.add(join(other, file));
    const verdicts = await cache.verify();
    expect(verdicts.map((v) => [v.key, v.verdict]).sort()).toEqual([["a.log", "ok"], ["b.log", "unreadable"]]);
    expect(verdicts.find((v) => v.verdict === "unreadable")?.problem).toContain("EACCES: permission denied");
    expect(existsSync(join(other, "data"))).toBe(true);
    expect(existsSync(join(other, "sums"))).toBe(true);
    expect(readdirSync(other).filter((n) => n.endsWith(".part"))).toEqual([]);
  });

  it("status and verify report an entry whose meta.json they may not read, not skip it", async () => {
    const cache = await cacheWithEntry();
    const other = await addEntry(cache, "b.log");
    const meta = join(other, "meta.json");
    denied.files.add(meta);
    const status = await cache.status();
    expect(status.entries.map((e) => e.key)).toEqual(["a.log"]);
    expect(status.unreadable).toEqual([{ dir: other, verdict: "unreadable",
      problem: `EACCES: permission denied, open '${meta}'` }]);
    const verdicts = await cache.verify();
    expect(verdicts.map((v) => v.verdict).sort()).toEqual(["ok", "unreadable"]);
  });

  it("an entry folder without meta.json (being created, or left by a crash) is no entry", async () => {
    const cache = await cacheWithEntry();
    const other = await addEntry(cache, "b.log");
    rmSync(join(other, "meta.json"));
    const status = await cache.status();
    expect(status.entries.map((e) => e.key)).toEqual(["a.log"]);
    expect(status.unreadable).toEqual([]);
  });
});
