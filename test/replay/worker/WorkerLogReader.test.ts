import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FormatError } from "../../../replay/formats/FormatError.js";
import type { LogReader, ReadOptions } from "../../../replay/formats/LogReader.js";
import type { LogRecord } from "../../../replay/formats/LogRecord.js";
import { openLog } from "../../../replay/formats/openLog.js";
import { WorkerLogReader } from "../../../replay/worker/WorkerLogReader.js";
import { buildCli } from "../../cli/cliHarness.js";
import { dataPath, hasShared } from "../../support/sharedData.js";

// The worker runs the built script: Node cannot load the TypeScript sources in a thread.
beforeAll(() => buildCli(), 180_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "roadrig-read-worker-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(reader: LogReader, options?: ReadOptions): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const batch of reader.batches(options)) records.push(...batch);
  return records;
}

/** Records, or the records before the error and the error. */
async function outcome(reader: LogReader): Promise<{ records: LogRecord[]; error?: unknown }> {
  const records: LogRecord[] = [];
  try {
    for await (const batch of reader.batches()) records.push(...batch);
    return { records };
  } catch (error) {
    return { records, error };
  }
}

function candumpLines(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const us = n * 100;
    const time = `${1_700_000_000 + Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, "0")}`;
    return `(${time}) can${n % 3} ${(0x100 + (n % 64)).toString(16)}#${(n & 0xff)
      .toString(16).padStart(2, "0")}`;
  });
}

function writeLog(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe.skipIf(!hasShared)("WorkerLogReader on the shared logs", () => {
  const logs = [
    ["candump", "canlog/mdf4-converters__multiple_CAN.log"],
    ["ASC", "canlog/python-can__logfile.asc"],
    ["CANedge MF4 (two buses, unfinalized)", "mf4/api-examples__2F6913DB_00000004_00000001.MF4"],
    ["rosbag (bz2 chunks)", "bag/rosbag.js__example-bz2.bag"],
    ["MCAP", "mcap/rosbag2__talker.mcap"],
  ] as const;

  it.each(logs)("gives the records the in-thread reader gives for a %s log", async (_, file) => {
    const inThread = await openLog(dataPath(file));
    const worker = await WorkerLogReader.open(dataPath(file));
    try {
      expect(worker.name).toBe(inThread.name);
      expect(worker.startNs).toBe(inThread.startNs);
      const expected = await readAll(inThread);
      expect(expected.length).toBeGreaterThan(0);
      expect(await readAll(worker)).toEqual(expected);
      expect(worker.describe()).toEqual(inThread.describe());
    } finally {
      await Promise.all([inThread.close(), worker.close()]);
    }
  });

  it("reads from a time on, and again from the start, as the in-thread reader does", async () => {
    const file = dataPath("mf4/api-examples__2F6913DB_00000004_00000001.MF4");
    const inThread = await openLog(file);
    const worker = await WorkerLogReader.open(file);
    try {
      const all = await readAll(inThread);
      const fromNs = (all[Math.floor(all.length / 2)] as LogRecord).timeNs;
      expect(await readAll(worker, { fromNs })).toEqual(await readAll(inThread, { fromNs }));
      expect(await readAll(worker)).toEqual(all);
    } finally {
      await Promise.all([inThread.close(), worker.close()]);
    }
  });
});

describe("WorkerLogReader", () => {
  it("delivers the frames before a bad line, then the same FormatError", async () => {
    const lines = candumpLines(5000);
    lines.splice(4321, 0, "(1700000000.432100) can0 not-a-frame");
    const path = writeLog("bad.log", `${lines.join("\n")}\n`);
    const expected = await outcome(await openLog(path));
    const worker = await WorkerLogReader.open(path);
    const got = await outcome(worker);
    await worker.close();

    expect(expected.error).toBeInstanceOf(FormatError);
    expect(got.error).toBeInstanceOf(FormatError);
    const fields = (e: unknown) => {
      const { file, where, offset, detail, message, code } = e as FormatError;
      return { file, where, offset, detail, message, code };
    };
    expect(fields(got.error)).toEqual(fields(expected.error));
    expect(got.records).toHaveLength(4321);
    expect(got.records).toEqual(expected.records);
  });

  it("rejects open with the FormatError of an unknown format, naming the file", async () => {
    const path = writeLog("unknown.bin", "\x00\x01not a log at all");
    const err = await WorkerLogReader.open(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ file: path, where: "start of file", offset: 0 });
  });

  it("rejects open with the system error of a missing file", async () => {
    const err = await WorkerLogReader.open(join(dir, "missing.log")).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ENOENT" });
  });

  it("reads no further ahead than its limits while the replay does not take", async () => {
    const limits = { batchRecords: 500, maxRecords: 2000, maxBytes: 1 << 30 };
    const path = writeLog("long.log", `${candumpLines(40_000).join("\n")}\n`);
    const reader = await WorkerLogReader.open(path, { limits, yieldRecords: 100 });
    try {
      const iterator = reader.batches()[Symbol.asyncIterator]();
      await iterator.next();
      // The worker fills what it may hand over, then waits for the replay. It stops once it
      // has handed over the limit or more: over by less than one batch (the candump reader
      // yields 512 records at a time).
      const bound = limits.maxRecords + 512;
      await vi.waitFor(() => expect(reader.bufferedRecords).toBeGreaterThanOrEqual(2000));
      expect(reader.bufferedRecords).toBeLessThan(bound);
      let total = 100;
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
        total += next.value.length;
        expect(reader.bufferedRecords).toBeLessThan(bound);
      }
      expect(total).toBe(40_000);
    } finally {
      await reader.close();
    }
  });

  it("keeps every record intact while batch buffers go back to the worker and are refilled", async () => {
    // Small batches and a small read-ahead: the worker packs into buffers it got back many
    // times over, while every record read so far is still held here.
    const limits = { batchRecords: 300, maxRecords: 1200, maxBytes: 64 * 1024 };
    const path = writeLog("recycled.log", `${candumpLines(30_000).join("\n")}\n`);
    const expected = await readAll(await openLog(path));
    const reader = await WorkerLogReader.open(path, { limits, yieldRecords: 64 });
    try {
      const got = await readAll(reader);
      expect(got).toHaveLength(30_000);
      expect(got).toEqual(expected);
      for (const record of got) {
        const { data } = (record as Extract<LogRecord, { kind: "frame" }>).frame;
        expect(data.buffer.byteLength).toBe(data.byteLength);
      }
    } finally {
      await reader.close();
    }
  });

  it("ends its thread on close() in the middle of a log, and the iteration with it", async () => {
    const path = writeLog("mid.log", `${candumpLines(20_000).join("\n")}\n`);
    const reader = await WorkerLogReader.open(path, { limits: { batchRecords: 256 } });
    const iterator = reader.batches()[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await reader.close();
    await expect(reader.exited).resolves.toBeTypeOf("number");
    // What was already unpacked may still come; then the iteration ends instead of hanging.
    let next = await iterator.next();
    while (next.done !== true) next = await iterator.next();
    expect(next.done).toBe(true);
  });

  it("starts over when a new iteration begins before the last one ended", async () => {
    const path = writeLog("twice.log", `${candumpLines(3000).join("\n")}\n`);
    const reader = await WorkerLogReader.open(path, { limits: { batchRecords: 200 } });
    try {
      const first = reader.batches()[Symbol.asyncIterator]();
      await first.next();
      await first.return(undefined);
      const again = await readAll(reader);
      expect(again).toEqual(await readAll(await openLog(path)));
    } finally {
      await reader.close();
    }
  });
});
