import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type * as FsPromises from "node:fs/promises";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DirLock } from "../../../replay/sources/DirLock.js";
import { Lease } from "../../../replay/sources/Lease.js";
import { NasCache } from "../../../replay/sources/NasCache.js";

// A full disk as Node reports it: the file is created, its write fails with a message that
// names no file ("ENOSPC: no space left on device, write"), through a path or a handle.
const disk = vi.hoisted(() => ({ full: (_path: string): boolean => false }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  const enospc = () => Object.assign(new Error("ENOSPC: no space left on device, write"),
    { code: "ENOSPC", errno: -28, syscall: "write" });
  return {
    ...fs,
    writeFile: async (...args: Parameters<typeof fs.writeFile>) => {
      // Paths only here: the cache never writes through a handle with writeFile(handle).
      if (!disk.full(args[0] as string)) return fs.writeFile(...args);
      await fs.writeFile(args[0], "");
      throw enospc();
    },
    open: async (...args: Parameters<typeof fs.open>) => {
      const handle = await fs.open(...args);
      if (disk.full(String(args[0]))) {
        handle.writeFile = () => Promise.reject(enospc());
      }
      return handle;
    },
  };
});

const dirs: string[] = [];
afterEach(() => {
  disk.full = () => false;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "roadrig-full-"));
  dirs.push(dir);
  return dir;
}

const bytes = new Uint8Array(1000).fill(7);
const meta = {
  bucket: "b", key: "a.log", etag: `"${createHash("md5").update(bytes).digest("hex")}"`,
  size: bytes.length,
};

describe("a full cache disk", () => {
  it("names the entry's meta.json it could not write, keeping the code", async () => {
    const cache = new NasCache({ dir: tempDir() });
    const entryDir = cache.entryDir(meta);
    disk.full = (path) => path.startsWith(join(entryDir, "meta.json"));
    await expect(cache.openEntry(meta)).rejects.toMatchObject({
      code: "ENOSPC",
      message: `${join(entryDir, "meta.json")}: ENOSPC: no space left on device, write`,
    });
    // No temporary file is left taking space.
    expect((await readdir(entryDir)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("names the lock's owner.json it could not write", async () => {
    const path = join(tempDir(), "entry.lock");
    disk.full = (p) => p.endsWith("owner.json");
    await expect(DirLock.tryAcquire(path)).rejects.toMatchObject({
      code: "ENOSPC",
      message: `${join(path, "owner.json")}: ENOSPC: no space left on device, write`,
    });
  });

  it("names the lease file it could not write, and leaves none behind", async () => {
    const dir = join(tempDir(), "leases");
    disk.full = (p) => p.endsWith(".lease");
    const taken = Lease.take(dir, 1000);
    await expect(taken).rejects.toMatchObject({ code: "ENOSPC" });
    const err = await taken.then(() => new Error("taken"), (e: unknown) => e as Error);
    expect(err.message).toMatch(new RegExp(`^${dir}/[^ ]+\\.lease: ENOSPC: no space left on device, write$`));
    expect(await readdir(dir)).toEqual([]);
  });
});
