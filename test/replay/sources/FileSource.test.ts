import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileSource } from "../../../replay/sources/FileSource.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-filesource-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("FileSource.open", () => {
  it("reads a regular file", async () => {
    const path = join(dir, "plain.log");
    writeFileSync(path, "abc");
    const source = await FileSource.open(path);
    try {
      expect(await source.size()).toBe(3);
      expect(new TextDecoder().decode(await source.read(1, 5))).toBe("bc");
    } finally {
      await source.close();
    }
  });

  it("refuses a FIFO at once instead of waiting for a writer", async () => {
    const path = join(dir, "pipe");
    execFileSync("mkfifo", [path]);
    await expect(FileSource.open(path)).rejects.toMatchObject({
      code: "EINVAL",
      message: `${path}: expected a regular file, found a FIFO`,
    });
  }, 2000);

  it("refuses a directory with a code the CLI reports without a stack trace", async () => {
    await expect(FileSource.open(dir)).rejects.toMatchObject({
      code: "EISDIR",
      message: `${dir}: expected a regular file, found a directory`,
    });
  });
});
