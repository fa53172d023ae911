import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { makeFrame } from "../../../../drivers/can/CanFrame.js";
import { CandumpReader } from "../../../../replay/formats/candump/CandumpReader.js";
import { CandumpWriter } from "../../../../replay/formats/candump/CandumpWriter.js";
import { FileSource } from "../../../../replay/sources/FileSource.js";
import { readFrames } from "./readAll.js";

const dir = mkdtempSync(join(tmpdir(), "candump-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_700_000_000_000_000_000n;

describe("CandumpWriter", () => {
  it("writes a file that reads back as the same frames and times", async () => {
    const path = join(dir, "out.log");
    const writer = CandumpWriter.toPath(path, { decimals: 9 });
    const frames = [
      makeFrame(0x123, Uint8Array.of(1, 2), { channel: "can0" }),
      makeFrame(0x1abcdef0, new Uint8Array(12), { channel: "can1", fd: true, brs: true }),
      makeFrame(0x321, new Uint8Array(0), { channel: "can0", remote: true, dlc: 4 }),
    ];
    frames.forEach((f, k) => writer.write(f, T0 + BigInt(k * 1_000_001)));
    await writer.close();

    expect(readFileSync(path, "utf8").split("\n")[0]).toBe(
      "(1700000000.000000000) can0 123#0102",
    );
    const reader = await CandumpReader.open(await FileSource.open(path));
    const records = await readFrames(reader);
    await reader.close();
    expect(reader.startNs).toBe(T0);
    expect(records.map((r) => r.timeNs)).toEqual([0, 1_000_001, 2_000_002]);
    expect(records.map((r) => r.frame)).toEqual(frames);
  });

  it("holds lines until its buffer fills, and close() flushes them", async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on("data", (c: Buffer) => chunks.push(c.toString()));
    const writer = new CandumpWriter(out, { bufferChars: 1000 });
    writer.write(makeFrame(0x1, new Uint8Array(0)), T0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks).toEqual([]);
    await writer.close();
    expect(chunks.join("")).toBe("(1700000000.000000) can0 001#\n");
  });

  it("reports backpressure and resumes after drain", async () => {
    const received: string[] = [];
    let release: (() => void) | undefined;
    const slow = new Writable({
      highWaterMark: 8,
      write(chunk: Buffer, _enc, done) {
        received.push(chunk.toString());
        release = done;
      },
    });
    const writer = new CandumpWriter(slow, { bufferChars: 1 });
    expect(writer.write(makeFrame(0x1, new Uint8Array(8)), T0)).toBe(false);
    const drained = writer.drain();
    let settled = false;
    void drained.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release?.();
    await drained;
    expect(received).toHaveLength(1);
    await writer.close();
  });

  it("rejects writes after a stream error and after close", async () => {
    const failing = new Writable({
      write(_chunk, _enc, done) {
        done(new Error("disk full"));
      },
    });
    const writer = new CandumpWriter(failing, { bufferChars: 1 });
    writer.write(makeFrame(0x1, new Uint8Array(0)), T0);
    await expect(writer.close()).rejects.toThrow("disk full");
    expect(() => writer.write(makeFrame(0x1, new Uint8Array(0)), T0)).toThrow(/disk full|closed/);
  });
});
