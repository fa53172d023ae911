import type { IncomingMessage, ServerResponse } from "node:http";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { LogRecord } from "../../../replay/formats/LogRecord.js";
import { WorkerLogReader } from "../../../replay/worker/WorkerLogReader.js";
import { buildCli } from "../../cli/cliHarness.js";
import { ScriptedS3Server, requestedRange, serveRange } from "../../support/ScriptedS3Server.js";
import { s3ClientOptionsFor } from "../../support/startS3rver.js";

const CHUNK = 64 * 1024;
const LINE = "(1700000000.000000) can0 123#0011223344556677\n";
const LINES = Math.ceil((16 * CHUNK) / LINE.length);
const OBJECT = new TextEncoder().encode(LINE.repeat(LINES));
const ETAG = '"e"';

/**
 * Resolves with the reply to the first GET of the range starting at `start`, which is left
 * open after its headers and a few bytes, until the test cuts it.
 */
function holdFirstGetAt(start: number): {
  held: Promise<ServerResponse>;
  /** Answers the held GET (true), or leaves the request to the caller (false). */
  reply: (req: IncomingMessage, res: ServerResponse) => boolean;
} {
  let resolve: (res: ServerResponse) => void = () => undefined;
  const held = new Promise<ServerResponse>((r) => (resolve = r));
  let done = false;
  return {
    held,
    reply: (req, res) => {
      if (done || requestedRange(req.headers.range).start !== start) return false;
      done = true;
      res.writeHead(206, {
        "Content-Range": `bytes ${start}-${Math.min(OBJECT.length, start + CHUNK) - 1}/${OBJECT.length}`,
        "Content-Length": String(Math.min(OBJECT.length, start + CHUNK) - start),
        ETag: ETAG,
      });
      res.write(OBJECT.subarray(start, start + 100), () => resolve(res));
      return true;
    },
  };
}

describe("WorkerLogReader reporting an S3 retry while no batch is sent", () => {
  beforeAll(buildCli, 180_000);

  it("shows a read-ahead retry in reader.source while the replay takes nothing", async () => {
    // The second chunk is fetched ahead of the parser; its first GET is cut only once the
    // worker waits for the replay to take a batch, and the retry is answered. No batch can
    // carry the count: the worker sends none until the replay takes one.
    const second = holdFirstGetAt(CHUNK);
    const server = await ScriptedS3Server.start((req, res) => {
      if (!second.reply(req, res)) serveRange(req, res, OBJECT, ETAG);
    });
    const reader = await WorkerLogReader.open("s3://b/can.log", {
      // No spans: one GET per chunk, and two chunks held or in flight.
      s3: {
        clientOptions: s3ClientOptionsFor(server.endpoint),
        chunkBytes: CHUNK, readAheadBytes: 2 * CHUNK, spanBytes: CHUNK,
      },
      // One batch handed over and not taken stops the worker's reading.
      limits: { batchRecords: 4096, maxRecords: 1 },
    });
    const iterator = reader.batches()[Symbol.asyncIterator]();
    try {
      const first = await iterator.next();
      expect(first.done).toBe(false);
      const records: LogRecord[] = [...(first.value as LogRecord[])];
      // The worker hands over the next batch and then waits for the replay to take it.
      await vi.waitFor(() => expect(reader.bufferedRecords).toBeGreaterThan(0),
        { timeout: 10_000 });
      const buffered = reader.bufferedRecords;
      const held = await second.held;
      expect(reader.source.counters.s3?.retries).toBe(0);

      // Cut mid-body, as a dropped connection does.
      held.socket?.destroy();

      await vi.waitFor(() => {
        expect(reader.source.counters.s3?.retries).toBe(1);
      }, { timeout: 5_000, interval: 20 });
      const lastRetry = reader.source.counters.s3?.lastRetry ?? "";
      const resumedFrom = Number(/again from byte (\d+)$/.exec(lastRetry)?.[1]);
      expect(lastRetry).toMatch(/aborted|ECONNRESET|premature close/i);
      expect(resumedFrom).toBeGreaterThanOrEqual(CHUNK);
      expect(resumedFrom).toBeLessThanOrEqual(CHUNK + 100);
      // The count came on its own: the replay has taken nothing since.
      expect(reader.bufferedRecords).toBe(buffered);

      // The retried read goes on from where it broke off: every line arrives once.
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
        records.push(...next.value);
      }
      expect(records.length).toBe(LINES);
    } finally {
      await iterator.return?.(undefined);
      await reader.close();
      await server.close();
    }
  });
});
