import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLog } from "../../../replay/formats/openLog.js";
import { S3ObjectChangedError } from "../../../replay/sources/S3ObjectChangedError.js";
import { S3Source } from "../../../replay/sources/S3Source.js";
import { s3ClientOptionsFor, startS3rver, type RunningS3rver } from "../../support/startS3rver.js";

describe("S3Source on s3rver: empty and replaced objects", () => {
  let s3: RunningS3rver;

  beforeAll(async () => {
    s3 = await startS3rver(["logs"]);
  });
  afterAll(() => s3.close());

  const open = (key: string, chunkBytes = 64 * 1024) => S3Source.open(`s3://logs/${key}`, {
    clientOptions: s3ClientOptionsFor(s3.endpoint), chunkBytes, readAheadBytes: 0,
  });

  it("opens a 0-byte object as an empty source with its ETag", async () => {
    const etag = await s3.put("logs", "empty.log", new Uint8Array(0));
    const source = await open("empty.log");
    expect(await source.size()).toBe(0);
    expect(await source.read(0, 4096)).toHaveLength(0);
    expect(source.etag).toBe(etag);
    await source.close();
  });

  it("refuses a 0-byte object as a log with the empty-file error naming the URL", async () => {
    await s3.put("logs", "empty2.log", new Uint8Array(0));
    const s3Options = { clientOptions: s3ClientOptionsFor(s3.endpoint) };
    const err = await openLog("s3://logs/empty2.log", { s3: s3Options })
      .then(() => undefined, (e: unknown) => e as Error);
    expect(err?.name).toBe("FormatError");
    expect(err?.message).toContain("s3://logs/empty2.log");
    expect(err?.message).toContain("found an empty file");
  });

  it("says the object changed, not that the range is invalid, when a smaller one replaces it",
    async () => {
      const oldEtag = await s3.put("logs", "shrunk.log", new Uint8Array(300_000).fill(1));
      const source = await open("shrunk.log");
      const newEtag = await s3.put("logs", "shrunk.log", new Uint8Array(1000).fill(2));

      const err = await source.read(200_000, 10).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(S3ObjectChangedError);
      expect((err as S3ObjectChangedError).expectedEtag).toBe(oldEtag);
      expect((err as S3ObjectChangedError).foundEtag).toBe(newEtag);
      expect((err as Error).message).toContain("s3://logs/shrunk.log");
      await source.close();
    });
});
