import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeDirectory, makeDirectorySync } from "../../../drivers/fs/makeDirectory.js";

const made: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "roadrig-mkdir-"));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ["makeDirectory", makeDirectory],
  ["makeDirectorySync", async (path: string) => {
    makeDirectorySync(path);
    return Promise.resolve();
  }],
])("%s", (_name, make) => {
  it("creates every missing level and accepts a directory that exists", async () => {
    const path = join(scratch(), "a", "b", "c");
    await make(path);
    expect(statSync(path).isDirectory()).toBe(true);
    await make(path);
    expect(statSync(path).isDirectory()).toBe(true);
  });

  it("fails at once under /proc, naming the level it could not create", async () => {
    // Node's own recursive mkdir never returns for this path.
    await expect(make("/proc/roadrig-no-such/x")).rejects.toThrow(
      /cannot create directory \/proc\/roadrig-no-such: ENOENT/);
    expect(existsSync("/proc/roadrig-no-such")).toBe(false);
  });

  it("names a file that stands where a directory should be", async () => {
    const file = join(scratch(), "plain");
    writeFileSync(file, "x");
    await expect(make(join(file, "sub"))).rejects.toMatchObject({ code: "ENOTDIR" });
  });
});
