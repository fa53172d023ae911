import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { open, readdir, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NasCache } from "../../replay/sources/NasCache.js";
import { putCompleteEntry } from "../support/cacheEntries.js";
import { runChild, type ChildResult } from "../support/childProcess.js";
import { repoRoot } from "../support/sharedData.js";

/** A private mount namespace lets the test show the CLI a cache mounted read-only. */
const canMountReadOnly = spawnSync("unshare", ["-rm", "sh", "-c",
  "mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp && echo ok"]).stdout?.toString()
  .trim() === "ok";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `roadrig cache verify` with `dir` mounted read-only in its own mount namespace. */
function verifyReadOnly(dir: string, ...flags: string[]): Promise<ChildResult> {
  const mount = `mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"`;
  return runChild("unshare", ["-rm", "sh", "-c", mount, dir, process.execPath,
    join(repoRoot, "bin", "roadrig.js"), "cache", "verify", "--cache-dir", dir, ...flags]);
}

describe.skipIf(!canMountReadOnly)("roadrig cache verify on a read-only cache", () => {
  it("reports a data file of the wrong size as corrupt, not discarded, and checks the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "roadrig-verify-ro-"));
    dirs.push(dir);
    const cache = new NasCache({ dir });
    const short = await putCompleteEntry(cache, "a.log", new Uint8Array(100_000).fill(3));
    await putCompleteEntry(cache, "b.log", new Uint8Array(5000).fill(4));
    await truncate(join(short, "data"), 70_000);

    const json = await verifyReadOnly(dir, "--json");
    expect(json.stderr).not.toContain("EROFS: read-only file system, mkdir");
    expect(json.code).toBe(1);
    type Verdicts = { entries: { key: string; verdict: string; problem?: string }[] };
    const verdicts = (JSON.parse(json.stdout) as Verdicts).entries
      .sort((a, b) => a.key.localeCompare(b.key));
    expect(verdicts.map((v) => [v.key, v.verdict])).toEqual([["a.log", "corrupt"], ["b.log", "ok"]]);
    expect(verdicts[0]?.problem).toContain(`${join(short, "data")}: 70000 bytes, expected 100000`);
    expect(verdicts[0]?.problem).toContain("not discarded: the cache cannot be written here, EROFS");
    // Still there: a read-only cache cannot drop it.
    expect(await readdir(short)).toContain("data");

    const text = await verifyReadOnly(dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("s3://b/a.log  100 kB  CORRUPT, not discarded: ");
    expect(text.stdout).toContain("2 complete entries checked, 1 corrupt");
  });

  it("does not call a block-sum mismatch it could not discard 'discarded'", async () => {
    const dir = mkdtempSync(join(tmpdir(), "roadrig-verify-ro-"));
    dirs.push(dir);
    const cache = new NasCache({ dir });
    const changed = await putCompleteEntry(cache, "c.log", new Uint8Array(100_000).fill(5));
    const handle = await open(join(changed, "data"), "r+");
    await handle.write(Uint8Array.of(9), 0, 1, 70_000);
    await handle.close();

    const text = await verifyReadOnly(dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/s3:\/\/b\/c\.log {2}100 kB {2}CORRUPT, not discarded: .*block 1 .*EROFS/);
    expect(await readdir(changed)).toContain("data");
  });
});
