import { afterEach, describe, expect, it } from "vitest";
import { S3ObjectChangedError } from "../../../replay/sources/S3ObjectChangedError.js";
import { S3ReadError } from "../../../replay/sources/S3ReadError.js";
import { S3Source, type S3SourceOptions } from "../../../replay/sources/S3Source.js";
import { s3ClientOptionsFor } from "../../support/startS3rver.js";
import { ScriptedS3Server, serveRange, type Reply } from "../../support/ScriptedS3Server.js";

const object = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 256);
const etag = '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"';
const fastRetry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 4 };
let server: ScriptedS3Server | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function open(reply: Reply, options: S3SourceOptions = {}): Promise<S3Source> {
  server = await ScriptedS3Server.start(reply);
  return S3Source.open("s3://logs/drive/1.mf4", {
    clientOptions: s3ClientOptionsFor(server.endpoint),
    chunkBytes: 1000,
    readAheadBytes: 0,
    retry: fastRetry,
    ...options,
  });
}

function s3Error(res: Parameters<Reply>[1], status: number, code: string): void {
  res.writeHead(status, { "Content-Type": "application/xml" });
  res.end(`<Error><Code>${code}</Code><Message>${code}</Message></Error>`);
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => undefined, (e: unknown) => e);
}

describe("S3Source", () => {
  it("retries 503 SlowDown, 429 and 500 and then reads the bytes", async () => {
    const faults: [number, string][] = [
      [503, "SlowDown"], [429, "TooManyRequests"], [500, "InternalError"],
    ];
    const source = await open((req, res, n) => {
      const fault = faults[n];
      if (fault) return s3Error(res, fault[0], fault[1]);
      serveRange(req, res, object, etag);
    }, { retry: { ...fastRetry, maxAttempts: 4 } });

    expect(await source.read(0, 1000)).toEqual(object.subarray(0, 1000));
    expect(source.stats).toMatchObject({ requests: 4, retries: 3, bytesFetched: 1000 });
    await source.close();
  });

  it("gives up after the attempt limit with an error naming the URL and offset", async () => {
    const err = await failure(open((_req, res) => s3Error(res, 503, "SlowDown")));
    expect(err).toBeInstanceOf(S3ReadError);
    expect((err as Error).message).toMatch(/^s3:\/\/logs\/drive\/1\.mf4: at byte offset 0: gave up after 3/);
    expect((err as Error).message).toContain("503 SlowDown");
    expect(server?.gets.length).toBe(3);
  });

  it("does not retry a missing object and names it", async () => {
    const err = await failure(open((_req, res) => s3Error(res, 404, "NoSuchKey")));
    expect(err).toBeInstanceOf(S3ReadError);
    expect((err as Error).message).toContain("s3://logs/drive/1.mf4");
    expect((err as Error).message).toContain("NoSuchKey");
    expect(server?.gets.length).toBe(1);
  });

  it("resumes after reset connections mid-body, each resume from the last byte received", async () => {
    const source = await open((req, res, n) => {
      if (n === 0) return serveRange(req, res, object, etag);
      if (n > 3) return serveRange(req, res, object, etag);
      // Replies 1..3 send 100 bytes of their range and then reset the socket.
      const from = Number(/bytes=(\d+)/.exec(req.headers.range ?? "")?.[1]);
      res.writeHead(206, {
        "Content-Range": `bytes ${from}-${from + 999 - (from % 1000)}/${object.length}`,
        "Content-Length": String(1000 - (from % 1000)),
        ETag: etag,
      });
      res.write(object.subarray(from, from + 100), () => res.socket?.resetAndDestroy());
    });

    expect(await source.read(1000, 1000)).toEqual(object.subarray(1000, 2000));
    expect(server?.gets.slice(1).map((r) => r.range)).toEqual([
      "bytes=1000-1999", "bytes=1100-1999", "bytes=1200-1999", "bytes=1300-1999",
    ]);
    expect(server?.gets.slice(1).every((r) => r.ifMatch === etag)).toBe(true);
    await source.close();
  });

  it("treats a body that stalls as a dropped connection and resumes", async () => {
    const source = await open((req, res, n) => {
      if (n !== 1) return serveRange(req, res, object, etag);
      res.writeHead(206, {
        "Content-Range": `bytes 1000-1999/${object.length}`, "Content-Length": "1000", ETag: etag,
      });
      res.write(object.subarray(1000, 1300));
    }, { idleTimeoutMs: 100 });

    expect(await source.read(1000, 1000)).toEqual(object.subarray(1000, 2000));
    expect(server?.gets[2]?.range).toBe("bytes=1300-1999");
    expect(source.stats.retries).toBe(1);
    await source.close();
  });

  it("fails when a later reply carries another ETag even if If-Match was ignored", async () => {
    const replaced = '"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"';
    const source = await open((req, res, n) =>
      serveRange(req, res, object, n === 0 ? etag : replaced));

    const err = await failure(source.read(3000, 10));
    expect(err).toBeInstanceOf(S3ObjectChangedError);
    expect((err as Error).message).toContain("s3://logs/drive/1.mf4");
    expect((err as Error).message).toContain(etag);
    expect((err as Error).message).toContain(replaced);
    await source.close();
  });

  it("fails instead of returning short data when the object shrank", async () => {
    const shorter = object.subarray(0, 2500);
    const source = await open((req, res, n) =>
      serveRange(req, res, n === 0 ? object : shorter, etag));
    const err = await failure(source.read(2000, 1000));
    expect(err).toBeInstanceOf(S3ReadError);
    expect((err as Error).message).toContain("at byte offset 2500");
    await source.close();
  });

  it("pins the ETag from the first reply and sends it as If-Match afterwards", async () => {
    const source = await open((req, res) => serveRange(req, res, object, etag));
    await source.read(2000, 1500);
    expect(source.etag).toBe(etag);
    expect(server?.gets[0]?.ifMatch).toBeUndefined();
    expect(server?.gets.slice(1).map((r) => r.ifMatch)).toEqual([etag, etag]);
    await source.close();
  });

  it("keeps several ranges in flight ahead of a sequential reader", async () => {
    const pending: (() => void)[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const source = await open((req, res, n) => {
      if (n === 0) return serveRange(req, res, object, etag);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Hold replies until four are waiting: only concurrent requests can get there.
      pending.push(() => {
        inFlight--;
        serveRange(req, res, object, etag);
      });
      if (pending.length === 4) pending.splice(0).forEach((go) => go());
    }, { readAheadBytes: 4000 });

    const read = await Promise.all([source.read(0, 1000), source.read(1000, 1000)]);
    expect(read[1]).toEqual(object.subarray(1000, 2000));
    expect(maxInFlight).toBe(4);
    expect(source.stats.underruns).toBe(1);
    await source.close();
  });

  it("refuses a URL without a key before any request", async () => {
    await expect(S3Source.open("s3://logs/")).rejects.toThrow("s3://logs/: missing key");
  });
});
