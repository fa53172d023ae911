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
