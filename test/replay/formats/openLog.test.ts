import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { FormatError } from "../../../replay/formats/FormatError.js";
import { openLog, supportedFormats } from "../../../replay/formats/openLog.js";
import { dataPath, hasShared } from "../../support/sharedData.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-openlog-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CANDUMP = "(1700000000.000000) can0 123#01\n(1700000000.500000) can0 456#0203\n";

describe("openLog", () => {
  it("recognises a candump log by its content, whatever its name", async () => {
    const path = join(dir, "drive.bin");
    writeFileSync(path, CANDUMP);
    const reader = await openLog(path);
    expect(reader.describe().format).toBe("candump");
    expect(reader.startNs).toBe(1_700_000_000_000_000_000n);
    await reader.close();
  });

  it("recognises a gzipped candump log", async () => {
    const path = join(dir, "drive.log.gz");
    writeFileSync(path, gzipSync(CANDUMP));
    const reader = await openLog(path);
    expect(reader.describe().format).toBe("candump");
    let frames = 0;
    for await (const batch of reader.batches()) frames += batch.length;
    expect(frames).toBe(2);
    await reader.close();
  });

  it("refuses an unknown format, listing the supported ones and the bytes found", async () => {
    const path = join(dir, "mystery.dat");
    writeFileSync(path, "PK\x03\x04 not a log");
    const error = await openLog(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    const message = (error as FormatError).message;
    expect(message).toContain(path);
    expect(message).toContain("50 4b 03 04");
    for (const format of supportedFormats) expect(message).toContain(format);
  });

  it("says so for an empty file", async () => {
    const path = join(dir, "empty.log");
    writeFileSync(path, "");
    await expect(openLog(path)).rejects.toThrow(/found an empty file/);
  });
});

describe.skipIf(!hasShared)("openLog on the real logs", () => {
  it.each([
    ["mf4/mdf4-rs__29-bit-obd2.MF4", "mdf4"],
    ["bag/rosbag.js__example.bag", "rosbag"],
    ["canlog/ICSim__sample-can.log", "candump"],
    ["canlog/python-can__logfile.asc", "asc"],
    ["canlog/python-can__test_CanMessage.asc.gz", "asc"],
  ])("opens %s as %s", async (file, format) => {
    const reader = await openLog(dataPath(...file.split("/")));
    expect(reader.describe().format).toBe(format);
    await reader.close();
  });

  it("opens the MCAP files as mcap", async () => {
    const { readdirSync } = await import("node:fs");
    const mcap = readdirSync(dataPath("mcap")).find((f) => f.endsWith(".mcap"));
    expect(mcap).toBeDefined();
    const reader = await openLog(dataPath("mcap", mcap as string));
    expect(reader.describe().format).toBe("mcap");
    await reader.close();
  });
});
