import { existsSync } from "node:fs";
import type * as FsPromises from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DirLock } from "../../../replay/sources/DirLock.js";

// The disk fills between the lock's mkdir and its owner.json: as writeFile does on ENOSPC,
// the file is created, then its write fails.
const disk = vi.hoisted(() => ({ full: false }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    writeFile: async (...args: Parameters<typeof fs.writeFile>) => {
      if (!disk.full) return fs.writeFile(...args);
      await fs.writeFile(args[0], "");
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
        code: "ENOSPC",
      });
    },
  };
});

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "roadrig-lock-full-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("DirLock on a full disk", () => {
  it("leaves no lock behind when its owner file cannot be written", async () => {
    const path = join(root, "entry.lock");
    disk.full = true;
    await expect(DirLock.tryAcquire(path)).rejects.toMatchObject({ code: "ENOSPC" });
    disk.full = false;
    expect(existsSync(path)).toBe(false);
    // The next process gets the lock at once instead of waiting for it to go stale.
    const lock = await DirLock.tryAcquire(path);
    expect(lock).toBeDefined();
    await lock?.release();
  });
});
