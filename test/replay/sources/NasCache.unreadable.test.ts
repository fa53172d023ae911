import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type * as FsPromises from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NasCache } from "../../../replay/sources/NasCache.js";

// The cache's `entries` folder cannot be listed, as for a user who may not read a cache
// directory another user owns (mode 700): the tests run as root, who may read anything.
const denied = vi.hoisted(() => ({ path: "" }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    readdir: (...args: Parameters<typeof fs.readdir>) => {
      if (denied.path !== "" && String(args[0]) === denied.path) {
        return Promise.reject(Object.assign(
          new Error(`EACCES: permission denied, scandir '${denied.path}'`),
          { code: "EACCES", errno: -13, syscall: "scandir", path: denied.path }));
      }
      return fs.readdir(...args);
    },
  };
});

const dirs: string[] = [];
afterEach(() => {
  denied.path = "";
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A cache holding one complete entry. */
async function cacheWithEntry(): Promise<NasCache> {
  const root = mkdtempSync(join(tmpdir(), "roadrig-unreadable-"));
  dirs.push(root);
  const cache = new NasCache({ dir: root });
  const bytes = new Uint8Array(1000).fill(7);
  const etag = `"${createHash("md5").update(bytes).digest("hex")}"`;
  const entry = await cache.openEntry({ bucket: "b", key: "a.log", etag, size: bytes.length });
  if (entry === undefined) throw new Error("no entry");
  await entry.write(0, bytes);
  await entry.close();
  expect(entry.complete).toBe(true);
  return cache;
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
});
