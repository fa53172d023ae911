import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogReader } from "../../../replay/formats/LogReader.js";
import type { LogRecord } from "../../../replay/formats/LogRecord.js";
import { openLog, type OpenLogOptions } from "../../../replay/formats/openLog.js";
import { sourceFacts } from "../../../replay/results/sourceFacts.js";
import { NasCache } from "../../../replay/sources/NasCache.js";
import { WorkerLogReader } from "../../../replay/worker/WorkerLogReader.js";
import { buildCli } from "../../cli/cliHarness.js";
import { spanGetsAfterFirstChunk } from "../../support/spanGets.js";
import { dataPath, hasShared } from "../../support/sharedData.js";
import { ScriptedS3Server, requestedRange, serveRange } from "../../support/ScriptedS3Server.js";
import { s3ClientOptionsFor, startS3rver, type RunningS3rver } from "../../support/startS3rver.js";

const KEY = "mf4/api-examples__2F6913DB_00000004_00000001.MF4";
const URL = `s3://drive-logs/${KEY}`;

async function readAll(reader: LogReader): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const batch of reader.batches()) records.push(...batch);
  return records;
}

describe.skipIf(!hasShared)("WorkerLogReader on s3:// against s3rver", () => {
  let s3: RunningS3rver;
  let size: number;
  let dir: string;
  const options = (): OpenLogOptions => ({
    // Spans, so that the request count also shows spanBytes reached the worker.
    s3: {
      clientOptions: s3ClientOptionsFor(s3.endpoint), chunkBytes: 64 * 1024, spanBytes: 2 ** 20,
    },
  });

  beforeAll(buildCli, 180_000);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "roadrig-read-worker-s3-"));
    s3 = await startS3rver(["drive-logs"]);
    const bytes = new Uint8Array(readFileSync(dataPath(KEY)));
    size = bytes.length;
    await s3.put("drive-logs", KEY, bytes);
  });
  afterAll(async () => {
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the records the in-thread reader reads, and reports the worker's S3 counters",
    async () => {
      const inThread = await openLog(URL, options());
      const worker = await WorkerLogReader.open(URL, options());
      try {
        expect(await readAll(worker)).toEqual(await readAll(inThread));
        const facts = await sourceFacts(worker.source, worker);
        expect(facts).toMatchObject({ name: URL, format: "mdf4", size });
        expect(facts.etag).toMatch(/^"?[0-9a-f]{32}"?$/);
        expect(facts.s3?.bytesFetched).toBe(size);
        expect(facts.s3?.requests).toBe(1 + spanGetsAfterFirstChunk(size, 64 * 1024, 2 ** 20));
      } finally {
        await Promise.all([inThread.close(), worker.close()]);
      }
    });

  it("reads through a NAS cache given to it, from S3 first and from the cache then", async () => {
    const withCache = { ...options(), cache: new NasCache({ dir }) };
    const first = await WorkerLogReader.open(URL, withCache);
    const records = await readAll(first);
    await first.close();
    const second = await WorkerLogReader.open(URL, withCache);
    try {
      expect(await readAll(second)).toEqual(records);
      const facts = await sourceFacts(second.source, second);
      // The reader reads some ranges twice: at least the whole object came from the cache.
      expect(facts.cache?.bytesFromS3).toBe(0);
      expect(facts.cache?.bytesFromCache).toBeGreaterThanOrEqual(size);
    } finally {
      await second.close();
    }
  });
});

describe("WorkerLogReader closing while an S3 read is stalled", () => {
  beforeAll(buildCli, 180_000);

  it("closes at once, not when the stalled read times out", async () => {
    const line = "(1700000000.000000) can0 123#0011223344556677\n";
    const object = new TextEncoder().encode(line.repeat(Math.ceil(2 ** 20 / line.length)));
    let stalled: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => { stalled = resolve; });
    const server = await ScriptedS3Server.start((req, res, n) => {
      if (n === 0) return serveRange(req, res, object, '"e"');
      // Headers and a few bytes, then nothing: the default idle timeout would wait 30 s.
      const from = requestedRange(req.headers.range).start;
      res.writeHead(206, { "Content-Range": `bytes ${from}-${object.length - 1}/${object.length}`,
        "Content-Length": String(object.length - from), ETag: '"e"' });
      res.write(object.subarray(from, from + 100), () => stalled());
    });
    // A close that waited for the read would outlast the test (the worker is given 60 s).
    const worker = await WorkerLogReader.open("s3://b/can.log", {
      s3: { clientOptions: s3ClientOptionsFor(server.endpoint) }, closeTimeoutMs: 60_000,
    });
    try {
      const reading = readAll(worker).catch((err: unknown) => err);
      await reached;
      await worker.close();
      await reading;
      expect(server.gets.length).toBe(2);
    } finally {
      await server.close();
    }
  });
});
