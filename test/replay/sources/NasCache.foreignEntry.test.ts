import { mkdtempSync, rmSync } from "node:fs";
import type * as FsPromises from "node:fs/promises";
import { utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NasCache } from "../../../replay/sources/NasCache.js";
import { metaOf, putCompleteEntry } from "../../support/cacheEntries.js";

// An entry another user filled, in a cache shared by several users (a sticky, world-writable
// folder; NFS with root squashed): this process may not create its lock. The tests run as
// root, who may write anything, so the refusal is mocked.
const foreign = vi.hoisted(() => ({ dir: "" }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    mkdir: (...args: Parameters<typeof fs.mkdir>) => {
      const path = String(args[0]);
      if (foreign.dir !== "" && path.startsWith(`${foreign.dir}/`)) {
        return Promise.reject(Object.assign(new Error(`EACCES: permission denied, mkdir '${path}'`),
          { code: "EACCES", errno: -13, syscall: "mkdir", path }));
      }
      return fs.mkdir(...args);
    },
  };
});

const dirs: string[] = [];
afterEach(() => {
  foreign.dir = "";
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function putEntry(
  cache: NasCache, key: string, bytes: Uint8Array, usedAt: Date,
): Promise<string> {
  const dir = await putCompleteEntry(cache, key, bytes);
  await utimes(join(dir, "used"), usedAt, usedAt);
  return dir;
}

describe("NasCache eviction past an entry another user owns", () => {
  it("skips that entry and evicts the next, instead of giving up the cache", async () => {
    const root = mkdtempSync(join(tmpdir(), "roadrig-foreign-"));
    dirs.push(root);
    const bytes = (fill: number) => new Uint8Array(8192).fill(fill);
    const filler = new NasCache({ dir: root });
    const theirs = await putEntry(filler, "theirs.log", bytes(1), new Date(Date.now() - 60_000));
    const mine = await putEntry(filler, "mine.log", bytes(2), new Date(Date.now() - 30_000));

    const cache = new NasCache({ dir: root, maxBytes: 2 * 8192 + 4096 });
    foreign.dir = theirs;
    // The oldest entry cannot be evicted here; the next one makes room.
    expect(await cache.makeRoom(8192)).toBe(true);
    const keys = (await cache.status()).entries.map((e) => e.key);
    expect(keys).toEqual(["theirs.log"]);
    expect(mine).not.toBe(theirs);

    const entry = await cache.openEntry(metaOf("new.log", bytes(3)));
    expect(entry).toBeDefined();
    await entry?.close();
  });
});
