import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeFrame } from "../../../../drivers/can/CanFrame.js";
import { openSource } from "../../../../replay/formats/openLog.js";
import { Mdf4Writer } from "../../../../replay/formats/mdf4/Mdf4Writer.js";
import type { ByteSource } from "../../../../replay/sources/ByteSource.js";
import { FileSource } from "../../../../replay/sources/FileSource.js";

const WINDOW = 256 * 1024;
const dir = mkdtempSync(join(tmpdir(), "roadrig-mdf4-windows-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A ByteSource that notes every read made of it. */
class RecordingSource implements ByteSource {
  readonly reads: { offset: number; length: number }[] = [];
  constructor(private readonly inner: ByteSource) {}
  get name(): string {
    return this.inner.name;
  }
  size(): Promise<number> {
    return this.inner.size();
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push({ offset, length });
    return this.inner.read(offset, length);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe("MDF4 data windows", () => {
  it("end on multiples of the window in the file, so the first lies inside a 256 KiB head",
    async () => {
      const path = join(dir, "frames.mf4");
      const writer = Mdf4Writer.create(path, { startNs: 1_700_000_000n * 1_000_000_000n });
      const data = new Uint8Array(8);
      const count = 40_000;
      for (let i = 0; i < count; i++) {
        data[0] = i & 0xff;
        writer.write(makeFrame(0x100 + (i % 8), data, { channel: "can0" }), i * 1000);
      }
      writer.close();
      const source = new RecordingSource(await FileSource.open(path));
      const reader = await openSource(source);
      let records = 0;
      try {
        for await (const batch of reader.batches()) records += batch.length;
      } finally {
        await reader.close();
      }
      expect(records).toBe(count);
      // Data windows are the long reads; metadata blocks are small.
      const windows = source.reads.filter((r) => r.length > 4096);
      expect(windows.length).toBeGreaterThan(2);
      for (const { offset, length } of windows) {
        expect(Math.floor(offset / WINDOW)).toBe(Math.floor((offset + length - 1) / WINDOW));
      }
      const first = windows.reduce((a, b) => (b.offset < a.offset ? b : a));
      expect(first.offset + first.length).toBeLessThanOrEqual(WINDOW);
    });
});
