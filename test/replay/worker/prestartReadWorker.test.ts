import type { Worker } from "node:worker_threads";
import { describe, expect, it, beforeAll } from "vitest";
import type { LogReader } from "../../../replay/formats/LogReader.js";
import type { LogRecord } from "../../../replay/formats/LogRecord.js";
import { openLog } from "../../../replay/formats/openLog.js";
import {
  endPrestartedReadWorkers, prestartReadWorker, takePrestartedReadWorker,
} from "../../../replay/worker/prestartReadWorker.js";
import { READ_WORKER_YOUNG_GENERATION_MB, startReadWorker } from "../../../replay/worker/readWorkerEntry.js";
import { WorkerLogReader } from "../../../replay/worker/WorkerLogReader.js";
import { buildCli } from "../../cli/cliHarness.js";
import { dataPath, hasShared } from "../../support/sharedData.js";

// The worker runs the built script: Node cannot load the TypeScript sources in a thread.
beforeAll(() => buildCli(), 180_000);

async function readAll(reader: LogReader): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const batch of reader.batches()) records.push(...batch);
  return records;
}

describe.skipIf(!hasShared)("a prestarted read worker", () => {
  it.each([
    ["a candump log", "canlog/mdf4-converters__multiple_CAN.log", false],
    ["an MF4, with the SDK preloaded", "mf4/api-examples__2F6913DB_00000004_00000001.MF4", true],
  ])("is taken by the next open and reads %s as the in-thread reader does", async (_, file, s3) => {
    const prestarted = prestartReadWorker({ s3 });
    const exited = new Promise<number>((resolve) => prestarted.once("exit", resolve));
    const path = dataPath(file);
    const reader = await WorkerLogReader.open(path);
    try {
      // Taken: nothing is left waiting, and closing the reader ends that very thread.
      expect(takePrestartedReadWorker()).toBeUndefined();
      expect(await readAll(reader)).toEqual(await readAll(await openLog(path)));
    } finally {
      await reader.close();
    }
    expect(await exited).toBeTypeOf("number");
  });

  it("reports an open that fails as a fresh worker does", async () => {
    prestartReadWorker({ s3: false });
    const error = await WorkerLogReader.open(dataPath("no/such.log")).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ENOENT" });
    expect(takePrestartedReadWorker()).toBeUndefined();
  });

  it("that no open takes is ended by endPrestartedReadWorkers", async () => {
    const worker = prestartReadWorker({ s3: true });
    const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
    await endPrestartedReadWorkers();
    expect(await exited).toBeTypeOf("number");
    expect(takePrestartedReadWorker()).toBeUndefined();
  });

  it("that failed before it was taken leaves the open to a fresh worker", async () => {
    const worker = prestartReadWorker({ s3: false });
    await worker.terminate();
    expect(takePrestartedReadWorker()).toBeUndefined();
    const path = dataPath("canlog/mdf4-converters__multiple_CAN.log");
    const reader = await WorkerLogReader.open(path);
    try {
      expect((await readAll(reader)).length).toBeGreaterThan(0);
    } finally {
      await reader.close();
    }
  });
});

describe("read worker threads", () => {
  it("run with the small young generation, prestarted or not", async () => {
    const prestarted = prestartReadWorker({ s3: false });
    const fresh = startReadWorker({ prestart: { s3: false } });
    // Both listened to at once: a worker may be online before the other is awaited.
    const online = [prestarted, fresh].map((worker) =>
      new Promise<Worker>((resolve) => worker.once("online", () => resolve(worker))));
    try {
      for (const worker of await Promise.all(online)) {
        expect(worker.resourceLimits?.maxYoungGenerationSizeMb)
          .toBe(READ_WORKER_YOUNG_GENERATION_MB);
      }
    } finally {
      await endPrestartedReadWorkers();
      await fresh.terminate();
    }
  });
});
