import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatS3Url, parseS3Prefix, parseS3Url } from "../../../replay/sources/S3Url.js";

describe("parseS3Url", () => {
  it("splits bucket and key, keeping slashes and spaces in the key", () => {
    expect(parseS3Url("s3://drive-logs/2024/run 1/can.mf4"))
      .toEqual({ bucket: "drive-logs", key: "2024/run 1/can.mf4" });
  });

  it.each([
    ["s3:///key", "missing bucket"],
    ["s3://bucket", "missing key"],
    ["s3://bucket/", "missing key"],
    ["https://bucket/key", "not an S3 URL"],
  ])("refuses %s naming the URL", (url, what) => {
    expect(() => parseS3Url(url)).toThrow(`${url}: ${what}`);
  });

  it.each(["s3:///key", "s3://bucket/", "https://bucket/key"])(
    "refuses %s as the user's input: an error with a code (no stack trace in the CLI)", (url) => {
      expect(() => parseS3Url(url)).toThrow(expect.objectContaining({ code: "E_S3_URL" }));
    });

  it("round-trips through formatS3Url", () => {
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,20}$/);
    fc.assert(fc.property(name, fc.string({ minLength: 1 }), (bucket, key) => {
      expect(parseS3Url(formatS3Url({ bucket, key }))).toEqual({ bucket, key });
    }));
  });

  it("accepts a bare bucket as a prefix", () => {
    expect(parseS3Prefix("s3://logs")).toEqual({ bucket: "logs", key: "" });
    expect(parseS3Prefix("s3://logs/2024/")).toEqual({ bucket: "logs", key: "2024/" });
  });
});
