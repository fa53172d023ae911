import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { FormatError } from "../../../../replay/formats/FormatError.js";
import { CandumpReader } from "../../../../replay/formats/candump/CandumpReader.js";
import { MemorySource } from "./MemorySource.js";
import { readFrames } from "./readAll.js";

const LOG = [
  "(1436509052.249713) vcan0 123#DEADBEEF",
  "(1436509052.250000) vcan1 12345678##1AA",
  "(1436509053.000001) vcan0 7FF#R",
].join("\n") + "\n";

describe("CandumpReader", () => {
  it("takes startNs from the first line and gives times relative to it", async () => {
    const reader = await CandumpReader.open(MemorySource.text(LOG));
    expect(reader.startNs).toBe(1_436_509_052_249_713_000n);
    const records = await readFrames(reader);
    expect(records.map((r) => r.timeNs)).toEqual([0, 287_000, 750_288_000]);
    expect(records.map((r) => r.channel)).toEqual(["vcan0", "vcan1", "vcan0"]);
    expect(records[1]?.frame).toMatchObject({ id: 0x12345678, fd: true, brs: true });
  });

  it("reads lines split across chunk boundaries, whatever the chunk size", async () => {
    const whole = await readFrames(await CandumpReader.open(MemorySource.text(LOG)));
    for (const chunkBytes of [1, 2, 7, 38, 39, 40, 64]) {
      const source = MemorySource.text(LOG);
      const records = await readFrames(await CandumpReader.open(source, { chunkBytes }));
      expect(records, `chunk ${chunkBytes}`).toEqual(whole);
      // The first read is the 2-byte gzip sniff.
      const sizes = source.reads.slice(1).map((r) => r.length);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(chunkBytes);
    }
  });

  it("reads a last line without a newline, CRLF line ends and blank lines", async () => {
    const text = "\r\n(1.000000) can0 001#01\r\n   \r\n\n(2.000000) can0 002#02";
    const reader = await CandumpReader.open(MemorySource.text(text), { chunkBytes: 5 });
    const records = await readFrames(reader);
    expect(records.map((r) => r.frame.id)).toEqual([1, 2]);
    expect(reader.startNs).toBe(1_000_000_000n);
  });

  it("yields backward time jumps in file order, without sorting", async () => {
    const text = "(10.000000) can0 001#\n(5.000000) can0 002#\n(11.000000) can0 003#\n";
    const records = await readFrames(await CandumpReader.open(MemorySource.text(text)));
    expect(records.map((r) => r.timeNs)).toEqual([0, -5e9, 1e9]);
  });

  it("skips records before fromNs", async () => {
    const records = await readFrames(await CandumpReader.open(MemorySource.text(LOG)), 300_000);
    expect(records.map((r) => r.frame.id)).toEqual([0x7ff]);
  });

  it("yields batches of at most batchSize records", async () => {
    const text = Array.from({ length: 10 }, (_, k) => `(1.00000${k}) c 00${k}#`).join("\n");
    const reader = await CandumpReader.open(MemorySource.text(text), { batchSize: 4 });
    const sizes: number[] = [];
    for await (const batch of reader.batches()) sizes.push(batch.length);
    expect(sizes).toEqual([4, 4, 2]);
  });

  it("names the line and the byte offset of a bad line in a later chunk", async () => {
    const bad = `${LOG}(1436509053.100000) vcan0 123#ABC\n`;
    const reader = await CandumpReader.open(MemorySource.text(bad, "bad.log"), { chunkBytes: 16 });
    const err: unknown = await readFrames(reader).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ file: "bad.log", where: "line 4", offset: LOG.length });
  });

  it("hands on every frame before a bad line, then fails at that line", async () => {
    const good = Array.from({ length: 300 }, (_, i) =>
      `(1436509052.${String(i).padStart(6, "0")}) vcan0 123#${(i % 256).toString(16).padStart(2, "0")}`);
    const text = `${good.join("\n")}\n(1436509053.000000) vcan0 XYZ#00\n`;
    for (const gzip of [false, true]) {
      const source = gzip ? new MemorySource(gzipSync(Buffer.from(text)), "bad.log.gz") :
        MemorySource.text(text, "bad.log");
      const reader = await CandumpReader.open(source, { chunkBytes: 4096 });
      const before: number[] = [];
      let err: unknown;
      try {
        for await (const batch of reader.batches()) for (const r of batch) before.push(r.timeNs);
      } catch (e) {
        err = e;
      }
      expect(before, `gzip ${gzip}`).toEqual(good.map((_, i) => i * 1000));
      expect(err).toBeInstanceOf(FormatError);
      expect(err).toMatchObject({ where: "line 301", offset: text.indexOf("(1436509053.") });
    }
  });

  it("fails at open when the first line is not a candump line", async () => {
    const err: unknown = await CandumpReader.open(MemorySource.text("date Fri Feb 14\n"))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ where: "line 1", offset: 0 });
  });

  it("refuses a line longer than 64 KiB instead of buffering without bound", async () => {
    const text = `(1.000000) can0 ${"1".repeat(70_000)}`;
    const err: unknown = await CandumpReader.open(MemorySource.text(text), { chunkBytes: 4096 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).message).toMatch(/at most 65536 bytes/);
  });

  it("reads gzip-compressed logs", async () => {
    const source = new MemorySource(gzipSync(Buffer.from(LOG)), "x.log.gz");
    const reader = await CandumpReader.open(source, { chunkBytes: 10 });
    const records = await readFrames(reader);
    expect(records).toHaveLength(3);
    expect(reader.describe().compression).toEqual(["gzip"]);
  });

  it("reports corrupt gzip data as a FormatError", async () => {
    const gz = gzipSync(Buffer.from(LOG.repeat(50)));
    const truncated = new MemorySource(gz.subarray(0, gz.length - 20), "cut.log.gz");
    const err: unknown = await readFrames(await CandumpReader.open(truncated))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ file: "cut.log.gz", where: "gzip stream" });
  });

  it("reads an empty log as no records from time 0", async () => {
    const reader = await CandumpReader.open(MemorySource.text(""));
    expect(reader.startNs).toBe(0n);
    expect(await readFrames(reader)).toEqual([]);
  });

  it("describes channels seen so far without scanning, and closes its source", async () => {
    const source = MemorySource.text(LOG);
    const reader = await CandumpReader.open(source);
    expect(reader.describe()).toMatchObject({
      format: "candump",
      compression: ["none"],
      groups: [{ name: "vcan0" }],
      details: { timestampDecimals: 6, channelsComplete: false },
    });
    await readFrames(reader);
    expect(reader.describe().groups.map((g) => g.name)).toEqual(["vcan0", "vcan1"]);
    expect(reader.describe().details?.channelsComplete).toBe(true);
    await reader.close();
    expect(source.closed).toBe(true);
  });
});
