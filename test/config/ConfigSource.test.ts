import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkConfigFile } from "../../config/checkConfigFile.js";
import { MAX_CONFIG_BYTES } from "../../config/ConfigSource.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "roadrig-source-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function checkBytes(bytes: string | Uint8Array, name = "agent.yaml") {
  const file = join(dir, name);
  await writeFile(file, bytes);
  return (await checkConfigFile(file, { files: false })).problems;
}

describe("hostile configuration files", () => {
  it("refuses an alias bomb as a problem at its first alias, without expanding it", async () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const name of "bcdefghi") {
      const prev = String.fromCharCode(name.charCodeAt(0) - 1);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const problems = await checkBytes(levels.join("\n"), "bomb.yaml");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: "(file)", line: 2, column: 8,
      expected: "YAML whose aliases expand to a small value" });
    expect(problems[0]?.found).toMatch(/alias/i);
  });

  it("places the first byte that is not UTF-8 at its line and column", async () => {
    const latin1 = Buffer.concat([Buffer.from("thing: car-1\nname: caf"), Buffer.from([0xe9]),
      Buffer.from("\n")]);
    expect(await checkBytes(latin1, "latin1.yaml")).toEqual([{ path: "(file)",
      expected: "UTF-8 text", found: "byte 0xE9 at offset 22", line: 2, column: 10 }]);
  });

  it("refuses an overlong or surrogate encoding as not UTF-8", async () => {
    const overlong = Buffer.from([0x61, 0x3a, 0x20, 0xe0, 0x80, 0xaf]);
    const surrogate = Buffer.from([0x61, 0x3a, 0x20, 0xed, 0xa0, 0x80]);
    for (const bytes of [overlong, surrogate]) {
      expect(await checkBytes(bytes, "bad.yaml")).toEqual([{ path: "(file)",
        expected: "UTF-8 text", found: `byte 0x${bytes[3]?.toString(16).toUpperCase()} at offset 3`,
        line: 1, column: 4 }]);
    }
  });

  it("reads a file that starts with a byte order mark", async () => {
    const problems = await checkBytes(`\uFEFFthing: car-1
mqtt: { transport: mqtt, url: "mqtt://127.0.0.1:1883" }
`, "bom.yaml");
    expect(problems).toEqual([]);
  });

  it("names a directory, a FIFO and a device instead of reading them", async () => {
    const folder = join(dir, "folder.yaml");
    await mkdir(folder);
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    const found = async (file: string) => (await checkConfigFile(file)).problems;
    expect(await found(folder)).toEqual([{ path: "(file)", expected: "a regular file",
      found: "a directory" }]);
    expect(await found(fifo)).toEqual([{ path: "(file)", expected: "a regular file",
      found: "a FIFO" }]);
    expect(await found("/dev/zero")).toEqual([{ path: "(file)", expected: "a regular file",
      found: "a device" }]);
  });

  it("refuses a file larger than a configuration can be, reading no more than the limit", async () => {
    const big = Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20);
    expect(await checkBytes(big, "big.yaml")).toEqual([{ path: "(file)",
      expected: `at most ${MAX_CONFIG_BYTES} bytes`, found: `${MAX_CONFIG_BYTES + 1} bytes` }]);
  });
});
