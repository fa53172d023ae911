import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3Source } from "../../../replay/sources/S3Source.js";
import { firstDifference } from "../../support/sameBytes.js";
import { s3ClientOptionsFor, startS3rver, type RunningS3rver } from "../../support/startS3rver.js";

const chunk = 128 * 1024;
const head = 16 * 1024;

/** Bytes that differ at every position a misplaced copy could land on. */
function pattern(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7 + (i >>> 8) * 13) & 0xff;
  return out;
}

describe("S3Source with a first request shorter than a chunk", () => {
  let s3: RunningS3rver;
  const big = pattern(3 * chunk + 5000);
  const small = pattern(head - 100);

  beforeAll(async () => {
    s3 = await startS3rver(["drive-logs"]);
    await s3.put("drive-logs", "big.bin", big);
    await s3.put("drive-logs", "small.bin", small);
  });
  afterAll(() => s3.close());

  function open(key: string): Promise<S3Source> {
    return S3Source.open(`s3://drive-logs/${key}`, {
      clientOptions: s3ClientOptionsFor(s3.endpoint),
      chunkBytes: chunk,
      readAheadBytes: 2 * chunk,
      firstBytes: head,
    });
  }

  it("serves reads inside the head without another request", async () => {
    const source = await open("big.bin");
    // The open request, and the rest of the first chunk asked for as the head arrived.
    expect(source.stats.requests).toBe(2);
    expect(firstDifference(await source.read(100, 4000), big.subarray(100, 4100))).toBe(-1);
    expect(source.stats.requests).toBe(2);
    await source.close();
  });

  it("reads the whole object byte for byte, fetching the head's bytes once", async () => {
    const source = await open("big.bin");
    const out = new Uint8Array(big.length);
    for (let pos = 0; pos < big.length; pos += 3001) {
      out.set(await source.read(pos, Math.min(3001, big.length - pos)), pos);
    }
    expect(firstDifference(out, big)).toBe(-1);
    expect(source.stats.bytesFetched).toBe(big.length);
    // The head, the rest of chunk 0, then chunk 1 alone and chunks 2-3 in one GET (a span).
    expect(source.stats.requests).toBe(4);
    await source.close();
  });

  it("reads an object shorter than the head from the open request alone", async () => {
    const source = await open("small.bin");
    expect(await source.size()).toBe(small.length);
    expect(firstDifference(await source.read(0, chunk), small)).toBe(-1);
    expect(source.stats.requests).toBe(1);
    await source.close();
  });
});
