import { afterEach, describe, expect, it } from "vitest";
import { createS3Client } from "../../../replay/sources/createS3Client.js";
import { S3ObjectChangedError } from "../../../replay/sources/S3ObjectChangedError.js";
import { S3ReadError } from "../../../replay/sources/S3ReadError.js";
import { S3Source, type S3SourceOptions } from "../../../replay/sources/S3Source.js";
import { firstDifference } from "../../support/sameBytes.js";
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

  it("keeps several ranges in flight ahead of a sequential reader, one GET per chunk", async () => {
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
    }, { readAheadBytes: 4000, spanBytes: 1000 });

    const read = await Promise.all([source.read(0, 1000), source.read(1000, 1000)]);
    expect(read[1]).toEqual(object.subarray(1000, 2000));
    expect(maxInFlight).toBe(4);
    expect(source.stats.underruns).toBe(1);
    await source.close();
  });

  it("reads a sequential reader's chunks from GETs that grow from one chunk to spanBytes", async () => {
    const source = await open((req, res) => serveRange(req, res, object, etag),
      { readAheadBytes: 2000, spanBytes: 2000 });
    const out = new Uint8Array(object.length);
    for (let pos = 0; pos < object.length; pos += 700) out.set(await source.read(pos, 700), pos);

    expect(out).toEqual(object);
    expect(server?.gets.map((r) => r.range)).toEqual([
      "bytes=0-999", "bytes=1000-1999", "bytes=2000-3999", "bytes=4000-4999",
    ]);
    expect(server?.gets.slice(1).every((r) => r.ifMatch === etag)).toBe(true);
    expect(source.stats.bytesFetched).toBe(object.length);
    await source.close();
  });

  it("ends spans on chunk boundaries when spanBytes is not a whole number of chunks", async () => {
    const source = await open((req, res) => serveRange(req, res, object, etag),
      { readAheadBytes: 2000, spanBytes: 1500 });
    const out = new Uint8Array(object.length);
    for (let pos = 0; pos < object.length; pos += 700) out.set(await source.read(pos, 700), pos);

    expect(out).toEqual(object);
    expect(server?.gets.map((r) => r.range)).toEqual([
      "bytes=0-999", "bytes=1000-1999", "bytes=2000-2999", "bytes=3000-3999", "bytes=4000-4999",
    ]);
    await source.close();
  });

  it("reads a chunk a reader jumps to with one chunk-sized GET", async () => {
    const source = await open((req, res) => serveRange(req, res, object, etag),
      { spanBytes: 4000 });
    expect(await source.read(3500, 100)).toEqual(object.subarray(3500, 3600));
    expect(await source.read(1200, 100)).toEqual(object.subarray(1200, 1300));
    expect(server?.gets.slice(1).map((r) => r.range)).toEqual(["bytes=3000-3999", "bytes=1000-1999"]);
    await source.close();
  });

  it("resumes a span cut mid-body from the last byte, to the span's end", async () => {
    const source = await open((req, res, n) => {
      if (n !== 2) return serveRange(req, res, object, etag);
      // The span 2000-3999 sends 1500 bytes, then its connection is reset.
      res.writeHead(206, {
        "Content-Range": `bytes 2000-3999/${object.length}`, "Content-Length": "2000", ETag: etag,
      });
      res.write(object.subarray(2000, 3500), () => res.socket?.resetAndDestroy());
    }, { readAheadBytes: 2000, spanBytes: 2000 });
    const out = new Uint8Array(object.length);
    for (let pos = 0; pos < object.length; pos += 1000) out.set(await source.read(pos, 1000), pos);

    expect(out).toEqual(object);
    // The read-ahead asks for 4000-4999 while the span is still being read: order varies.
    expect(server?.gets.map((r) => r.range).sort()).toEqual([
      "bytes=0-999", "bytes=1000-1999", "bytes=2000-3999", "bytes=3500-3999", "bytes=4000-4999",
    ]);
    expect(server?.gets.find((r) => r.range === "bytes=3500-3999")?.ifMatch).toBe(etag);
    expect(source.stats.retries).toBe(1);
    await source.close();
  });

  it("closes a span nobody reads from, and goes on with a span as long", async () => {
    const mib = 1024 * 1024;
    const big = new Uint8Array(5 * mib);
    for (let i = 0; i < big.length; i++) big[i] = (i * 13 + (i >> 12)) & 0xff;
    let dropped: Promise<void> | undefined;
    const source = await open((req, res, n) => {
      // The span 2-4 MiB is read for its first MiB only: its socket closes when it is dropped.
      if (n === 2) dropped = new Promise((resolve) => req.socket.once("close", () => resolve()));
      serveRange(req, res, big, etag);
    }, { chunkBytes: mib, spanBytes: 4 * mib, spanIdleCloseMs: 20 });
    const same = async (at: number, n: number) =>
      firstDifference(await source.read(at, n), big.subarray(at, at + n));
    expect(await same(mib, mib)).toBe(-1);
    expect(await same(2 * mib, mib)).toBe(-1);
    await dropped;
    expect(await same(3 * mib, 2 * mib)).toBe(-1);

    expect(server?.gets.map((r) => r.range)).toEqual([
      `bytes=0-${mib - 1}`, `bytes=${mib}-${2 * mib - 1}`, `bytes=${2 * mib}-${4 * mib - 1}`,
      `bytes=${3 * mib}-${5 * mib - 1}`,
    ]);
    expect(source.stats.retries).toBe(0);
    await source.close();
  });

  it("frees the socket of a span whose reply arrives after close()", async () => {
    let asked!: () => void;
    const spanAsked = new Promise<void>((resolve) => { asked = resolve; });
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    let socketClosed: Promise<void> | undefined;
    server = await ScriptedS3Server.start((req, res) => {
      if (req.headers.range !== "bytes=2000-3999") return serveRange(req, res, object, etag);
      socketClosed = new Promise((resolve) => req.socket.once("close", () => resolve()));
      asked();
      void released.then(() => serveRange(req, res, object, etag));
    });
    // A client the source does not own: close() cannot end the request by destroying it.
    const client = createS3Client(s3ClientOptionsFor(server.endpoint));
    try {
      const source = await S3Source.open("s3://logs/drive/1.mf4", {
        client, chunkBytes: 1000, readAheadBytes: 2000, spanBytes: 4000, retry: fastRetry,
      });
      expect(await source.read(0, 1000)).toEqual(object.subarray(0, 1000));
      // This read asks for the next chunk ahead: a span 2000-3999, its reply held back.
      expect(await source.read(1000, 1000)).toEqual(object.subarray(1000, 2000));
      await spanAsked;
      await source.close();
      release();
      await socketClosed;
    } finally {
      client.destroy();
    }
  }, 5000);

  it("fails a read waiting on a stalled body at once on close(), and asks for nothing more", async () => {
    let stalled: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => { stalled = resolve; });
    const source = await open((req, res, n) => {
      if (n === 0) return serveRange(req, res, object, etag);
      // Headers and 100 bytes, then nothing: the default idle timeout would wait 30 s.
      res.writeHead(206, {
        "Content-Range": `bytes 1000-1999/${object.length}`, "Content-Length": "1000", ETag: etag,
      });
      res.write(object.subarray(1000, 1100), () => stalled());
    });
    const read = failure(source.read(1000, 1000));
    await reached;
    await source.close();

    const err = await read;
    expect(err).toBeInstanceOf(S3ReadError);
    // 1000 or 1100: whether the 100 bytes were taken before the close is a race.
    expect((err as Error).message).toMatch(/at byte offset 1[01]00: closed while reading$/);
    expect(server?.gets.length).toBe(2);
  });

  it("refuses a URL without a key before any request", async () => {
    await expect(S3Source.open("s3://logs/")).rejects.toThrow("s3://logs/: missing key");
  });
});
