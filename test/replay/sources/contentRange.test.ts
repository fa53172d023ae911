import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseContentRange } from "../../../replay/sources/contentRange.js";

describe("parseContentRange", () => {
  it("reads a satisfied range with an exclusive end", () => {
    expect(parseContentRange("bytes 500-599/600")).toEqual({ kind: "range", start: 500, end: 600, total: 600 });
  });

  it("reads an unknown total and an unsatisfied range", () => {
    expect(parseContentRange("bytes 0-9/*")).toEqual({ kind: "range", start: 0, end: 10 });
    expect(parseContentRange("bytes */0")).toEqual({ kind: "unsatisfied", total: 0 });
  });

  it("reads s3rver's `bytes 0-0/0` on a 0-byte object as nothing satisfiable", () => {
    expect(parseContentRange("bytes 0-0/0")).toEqual({ kind: "unsatisfied", total: 0 });
  });

  it.each(["bytes 10-5/100", "bytes 0-100/100", "items 0-1/2", "bytes 0-1", ""])(
    "refuses %j", (header) => expect(parseContentRange(header)).toBeUndefined(),
  );

  it("parses every well-formed range it is given", () => {
    fc.assert(fc.property(fc.nat(1e12), fc.nat(1e9), fc.nat(1e9), (start, len, extra) => {
      const end = start + len;
      const total = end + 1 + extra;
      expect(parseContentRange(`bytes ${start}-${end}/${total}`))
        .toEqual({ kind: "range", start, end: end + 1, total });
    }));
  });
});
