import fc from "fast-check";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3ObjectChangedError } from "../../../replay/sources/S3ObjectChangedError.js";
import { S3Source, type S3SourceOptions } from "../../../replay/sources/S3Source.js";
import { FaultProxy } from "../../../bench/support/FaultProxy.js";
import { firstDifference } from "../../support/sameBytes.js";
import { spanGetsAfterFirstChunk } from "../../support/spanGets.js";
import { dataPath, hasShared } from "../../support/sharedData.js";
import { s3ClientOptionsFor, startS3rver, type RunningS3rver } from "../../support/startS3rver.js";

const logs = [
  "mf4/api-examples__7512BE4D_00000427_00000001.MF4",
  "bag/rosbag.js__example.bag",
  "canlog/ICSim__sample-can.log",
];

describe.skipIf(!hasShared)("S3Source against s3rver with real logs", () => {
  let s3: RunningS3rver;
  const files = new Map<string, Uint8Array>();

  beforeAll(async () => {
    s3 = await startS3rver(["drive-logs"]);
    for (const log of logs) {
      const bytes = new Uint8Array(readFileSync(dataPath(log)));
      files.set(log, bytes);
      await s3.put("drive-logs", log, bytes);
    }
  });
  afterAll(() => s3.close());

  function open(key: string, endpoint: string, options: S3SourceOptions = {}): Promise<S3Source> {
    return S3Source.open(`s3://drive-logs/${key}`, {
      clientOptions: s3ClientOptionsFor(endpoint),
      chunkBytes: 64 * 1024,
      readAheadBytes: 256 * 1024,
      ...options,
    });
  }

  async function readAll(source: S3Source, step: number): Promise<Uint8Array> {
    const size = await source.size();
    const out = new Uint8Array(size);
    for (let pos = 0; pos < size; pos += step) out.set(await source.read(pos, step), pos);
    return out;
  }

  it("reads each log byte for byte in small sequential reads, a GET per chunk", async () => {
    for (const log of logs) {
      const source = await open(log, s3.endpoint, { spanBytes: 64 * 1024 });
      const expected = files.get(log) ?? new Uint8Array();
      expect(await source.size()).toBe(expected.length);
      expect(firstDifference(await readAll(source, 4093), expected)).toBe(-1);
      expect(source.stats.requests).toBe(Math.ceil(expected.length / (64 * 1024)));
      expect(source.stats.bytesFetched).toBe(expected.length);
      await source.close();
    }
  });

  it("reads each log byte for byte from spans of 1, 2, 4, … chunks", async () => {
    for (const log of logs) {
      const source = await open(log, s3.endpoint, { spanBytes: 64 * 2 ** 20 });
      const expected = files.get(log) ?? new Uint8Array();
      expect(firstDifference(await readAll(source, 4093), expected)).toBe(-1);
      // The open request, then spans of 1, 2, 4, … chunks.
      expect(source.stats.requests).toBe(1 + spanGetsAfterFirstChunk(expected.length, 64 * 1024));
      expect(source.stats.bytesFetched).toBe(expected.length);
      await source.close();
    }
  });

  it("answers random reads with the file's bytes", async () => {
    const log = logs[0] ?? "";
    const expected = files.get(log) ?? new Uint8Array();
    const source = await open(log, s3.endpoint, { readAheadBytes: 0 });
    await fc.assert(fc.asyncProperty(
      fc.nat(expected.length + 100), fc.nat(200_000),
      async (offset, length) => {
        const got = await source.read(offset, length);
        const want = expected.subarray(offset, Math.min(expected.length, offset + length));
        expect(firstDifference(got, want)).toBe(-1);
      },
    ), { numRuns: 60 });
    await source.close();
  });

  it("fails with both ETags when the log is replaced mid-replay", async () => {
    await s3.put("drive-logs", "replaced.log", new Uint8Array(300_000).fill(1));
    const source = await open("replaced.log", s3.endpoint, { readAheadBytes: 0 });
    const oldEtag = source.etag;
    const newEtag = await s3.put("drive-logs", "replaced.log", new Uint8Array(300_000).fill(2));

    const err = await source.read(200_000, 10).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(S3ObjectChangedError);
    expect((err as Error).message).toContain("s3://drive-logs/replaced.log");
    expect((err as S3ObjectChangedError).expectedEtag).toBe(oldEtag);
    expect((err as S3ObjectChangedError).foundEtag).toBe(newEtag);
    await source.close();
  });

  it("delivers every byte through a proxy that cuts connections mid-transfer", async () => {
    const log = logs[0] ?? "";
    const proxy = await FaultProxy.start(s3.port, {
      cut: (n) => (n % 2 === 0 ? { afterBytes: 20_000 + n * 1000, how: n % 4 ? "close" : "reset" }
        : undefined),
    });
    const source = await open(log, proxy.endpoint, {
      retry: { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 10 },
    });
    const got = await readAll(source, 65_536);
    expect(firstDifference(got, files.get(log) ?? new Uint8Array())).toBe(-1);
    expect(proxy.cuts).toBeGreaterThan(0);
    expect(source.stats.retries).toBeGreaterThanOrEqual(proxy.cuts);
    await source.close();
    await proxy.close();
  });

  it("waits far less for the network with read-ahead over a link with latency", async () => {
    const log = logs[1] ?? "";
    const delayMs = 25;
    const proxy = await FaultProxy.start(s3.port, { delayMs });
    // One GET per chunk: a span's body would bring the next chunks without read-ahead.
    const perChunk = { spanBytes: 64 * 1024 };
    const without = await open(log, proxy.endpoint, { ...perChunk, readAheadBytes: 0 });
    await readAll(without, 16_384);
    const withAhead = await open(log, proxy.endpoint, { ...perChunk, readAheadBytes: 512 * 1024 });
    await readAll(withAhead, 16_384);

    // Without read-ahead every chunk after the first costs at least one round trip.
    const chunks = Math.ceil((files.get(log)?.length ?? 0) / (64 * 1024));
    expect(without.stats.underruns).toBe(chunks - 1);
    expect(without.stats.underrunWaitMs).toBeGreaterThanOrEqual((chunks - 1) * 2 * delayMs);
    expect(withAhead.stats.underrunWaitMs).toBeLessThan(without.stats.underrunWaitMs / 2);
    expect(withAhead.stats.requests).toBe(without.stats.requests);
    await without.close();
    await withAhead.close();
    await proxy.close();
  });
});
