import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { S3ObjectChangedError } from "../../../replay/sources/S3ObjectChangedError.js";
import { S3RangeFetcher } from "../../../replay/sources/S3RangeFetcher.js";
import { S3Source } from "../../../replay/sources/S3Source.js";
import { createS3Client } from "../../../replay/sources/createS3Client.js";
import { emptyS3SourceStats } from "../../../replay/sources/S3SourceStats.js";
import { casePath, hasShared } from "../../support/sharedData.js";
import { s3ClientOptionsFor } from "../../support/startS3rver.js";
import { ScriptedS3Server, requestedRange, serveRange, type Reply } from "../../support/ScriptedS3Server.js";

interface MockResponse {
  request: Record<string, string>;
  status: number;
  headers: Record<string, string>;
}

interface Scenario {
  object: { key?: string; size: number; etag?: string; sha256?: string };
  mock_responses: MockResponse[];
  expected: Record<string, unknown>;
}

function scenario(name: string): Scenario {
  return JSON.parse(readFileSync(casePath(name, "scenario.json"), "utf8")) as Scenario;
}

function caseObject(): Uint8Array {
  return new Uint8Array(readFileSync(casePath("aws-sdk-js-257", "object.bin")));
}

const fastRetry = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 };
let server: ScriptedS3Server | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function openOn(reply: Reply, key: string, chunkBytes: number): Promise<S3Source> {
  server = await ScriptedS3Server.start(reply);
  return S3Source.open(`s3://bucket/${key}`, {
    clientOptions: s3ClientOptionsFor(server.endpoint),
    chunkBytes,
    readAheadBytes: 0,
    retry: fastRetry,
  });
}

describe.skipIf(!hasShared)("S3Source on the bug-report cases (README sections 32, 33)", () => {
  it("resumes a body closed after 400 of 1000 bytes with bytes=400-999 and If-Match", async () => {
    const sc = scenario("aws-sdk-js-257");
    const object = caseObject();
    const [first] = sc.mock_responses;
    const etag = sc.object.etag ?? "";
    const source = await openOn((req, res, n) => {
      if (n > 0) return serveRange(req, res, object, etag);
      res.writeHead(first?.status ?? 0, first?.headers);
      res.write(object.subarray(0, 400), () => res.socket?.end());
    }, sc.object.key ?? "", sc.object.size);

    const bytes = await source.read(0, sc.object.size);
    expect(bytes.length).toBe(sc.expected.bytes_delivered);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(sc.expected.sha256);
    expect(server?.gets.length).toBe(sc.expected.requests);
    expect(server?.gets[0]?.range).toBe(first?.request.Range);
    expect(server?.gets[1]?.range).toBe(sc.expected.second_request_range);
    expect(server?.gets[1]?.ifMatch).toBe(sc.mock_responses[1]?.request["If-Match"]);
    expect(source.stats).toMatchObject({ bytesFetched: 1000, requests: 2, retries: 1 });
    await source.close();
  });

  it("fails naming the object and both ETags when the resumed range gets 412", async () => {
    const sc = scenario("aws-sdk-js-257");
    const object = caseObject();
    const etag = sc.object.etag ?? "";
    const newEtag = '"fedcba9876543210fedcba9876543210"';
    const opening = openOn((req, res, n) => {
      if (req.method === "HEAD") {
        res.writeHead(200, { ETag: newEtag, "Content-Length": "1000" });
        return res.end();
      }
      if (n === 0) {
        res.writeHead(206, sc.mock_responses[0]?.headers);
        return res.write(object.subarray(0, 400), () => res.socket?.end());
      }
      res.writeHead(412, { "Content-Type": "application/xml" });
      res.end("<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>");
    }, sc.object.key ?? "", sc.object.size);

    const err = await opening.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(S3ObjectChangedError);
    const changed = err as S3ObjectChangedError;
    expect(changed.message).toContain(`s3://bucket/${sc.object.key}`);
    expect(changed.expectedEtag).toBe(etag);
    expect(changed.foundEtag).toBe(newEtag);
    expect(changed.offset).toBe(400);
  });

  it("treats 416 with Content-Range bytes */0 on the first range as an empty log", async () => {
    const sc = scenario("minio-17713");
    const [reply] = sc.mock_responses;
    const { start, end } = requestedRange(reply?.request.Range);
    const source = await openOn((_req, res) => {
      res.writeHead(reply?.status ?? 0, reply?.headers);
      res.end("<Error><Code>InvalidRange</Code><Message>The requested range is not satisfiable</Message></Error>");
    }, sc.object.key ?? "", end - start);

    expect(server?.gets[0]?.range).toBe(reply?.request.Range);
    expect(await source.size()).toBe(sc.object.size);
    expect((await source.read(0, 4096)).length).toBe(sc.expected.bytes_delivered);
    expect(server?.gets.length).toBe(1);
    await source.close();
  });

  it("trusts Content-Range on a short last range and learns the object size", async () => {
    const sc = scenario("s3rver-374");
    const object = caseObject().subarray(0, sc.object.size);
    server = await ScriptedS3Server.start((req, res) => serveRange(req, res, object, '"e"'));
    const client = createS3Client(s3ClientOptionsFor(server.endpoint));
    const fetcher = new S3RangeFetcher(client, { bucket: "b", key: "k" }, emptyS3SourceStats());
    const { start, end } = requestedRange(sc.mock_responses[0]?.request.Range);

    const reply = await fetcher.fetch(start, end);
    expect(server.gets[0]?.range).toBe(sc.mock_responses[0]?.request.Range);
    expect(reply.bytes.length).toBe(sc.expected.bytes_from_first_request);
    expect(reply.objectSize).toBe(sc.expected.total_size_learned);
    expect(reply.bytes).toEqual(object.subarray(start));
    client.destroy();
  });

  it("never asks for a range at or past the end once the size is known", async () => {
    const sc = scenario("s3rver-374");
    const object = caseObject().subarray(0, sc.object.size);
    const source = await openOn((req, res) => serveRange(req, res, object, '"e"'), "k", 500);

    const all = await source.read(0, 10_000);
    expect(all).toEqual(object);
    expect(await source.read(sc.expected.stop_reading_after as number, 100)).toHaveLength(0);
    const starts = (server?.gets ?? []).map((r) => requestedRange(r.range).start);
    expect(starts).toEqual([0, 500]);
    expect(server?.gets[1]?.range).toBe("bytes=500-599");
    await source.close();
  });

  it("delivers the requested slice when a Range request gets a plain 200", async () => {
    const sc = scenario("lakeFS-6100");
    const object = caseObject();
    const whole: Reply = (_req, res) => {
      res.writeHead(sc.mock_responses[0]?.status ?? 0, { ...sc.mock_responses[0]?.headers, ETag: '"e"' });
      res.end(object);
    };
    const source = await openOn(whole, "k", 100);
    const { start, end } = requestedRange(sc.mock_responses[0]?.request.Range);

    const slice = await source.read(start, end - start);
    expect(slice).toEqual(object.subarray(start, end));
    expect(slice).not.toEqual(object.subarray(0, end - start));
    expect(await source.size()).toBe(sc.object.size);
    expect(server?.gets.map((r) => r.range)).toContain(sc.mock_responses[0]?.request.Range);
    expect(source.stats.rangeIgnored).toBe(2);
    await source.close();
  });
});
