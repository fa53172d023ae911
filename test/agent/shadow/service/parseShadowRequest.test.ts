import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  keyDepth,
  parseTokenRequest,
  parseUpdateRequest,
} from "../../../../agent/shadow/service/parseShadowRequest.js";
import { ShadowError } from "../../../../agent/shadow/service/ShadowError.js";

const bytes = (text: string) => Buffer.from(text, "utf8");

function refusal(
  payload: Uint8Array,
  parse: (payload: Uint8Array) => unknown = parseUpdateRequest,
): ShadowError {
  try {
    parse(payload);
  } catch (error) {
    expect(error).toBeInstanceOf(ShadowError);
    return error as ShadowError;
  }
  throw new Error("expected a ShadowError");
}

describe("parseUpdateRequest", () => {
  it("reads state, version and clientToken", () => {
    expect(parseUpdateRequest(bytes('{"state":{"desired":{"a":1}},"version":3,"clientToken":"t"}')))
      .toEqual({ state: { desired: { a: 1 } }, version: 3, clientToken: "t" });
  });

  it("reads a top-level null state as clear-all, and section nulls as section deletes", () => {
    expect(parseUpdateRequest(bytes('{"state":null}'))).toEqual({ state: null });
    expect(parseUpdateRequest(bytes('{"state":{"desired":null}}')))
      .toEqual({ state: { desired: null } });
  });

  it("keeps a nested key named state as data (greengrass-shadow-199)", () => {
    expect(parseUpdateRequest(bytes('{"state":{"desired":{"state":null}}}')))
      .toEqual({ state: { desired: { state: null } } });
  });

  it("refuses a delta node with 400 and names it, echoing the clientToken", () => {
    const error = refusal(bytes('{"state":{"reported":{"s":1},"delta":{"s":1}},"clientToken":"k"}'));
    expect([error.code, error.message, error.clientToken])
      .toEqual([400, "State contains an invalid node: 'delta'", "k"]);
  });

  it("refuses negative, fractional and textual versions", () => {
    for (const version of ["-1", "1.5", '"1"']) {
      const error = refusal(bytes(`{"state":{},"version":${version}}`));
      expect([error.code, error.message]).toEqual([400, "Invalid version"]);
    }
  });

  it("refuses a clientToken over 64 bytes, counting UTF-8 bytes", () => {
    const ok = "é".repeat(32);
    expect(parseUpdateRequest(bytes(`{"state":{},"clientToken":"${ok}"}`)).clientToken).toBe(ok);
    const error = refusal(bytes(`{"state":{},"clientToken":"${ok}e"}`));
    expect([error.code, error.message]).toEqual([400, "Invalid clientToken"]);
  });

  it("refuses payloads that are not UTF-8 with 415", () => {
    expect(refusal(Uint8Array.from([0x7b, 0xff, 0x7d])).code).toBe(415);
  });

  it("refuses JSON that is not an object, and an empty update payload", () => {
    for (const text of ["[]", "3", "", "null"]) {
      expect(refusal(bytes(text)).message).toBe("Invalid JSON");
    }
  });

  it("counts levels of keys inside a section, arrays included", () => {
    expect(keyDepth({ a: 1 })).toBe(1);
    expect(keyDepth({ a: { b: [{ c: 1 }] } })).toBe(4);
    expect(keyDepth(5)).toBe(0);
  });

  it("refuses a request whose state alone is over 8192 bytes with 413", () => {
    const body = (n: number) => `{"state":{"reported":{"k":"${"x".repeat(n)}"}}}`;
    // {"reported":{"k":"…"}} is 21 bytes around the string.
    expect(parseUpdateRequest(bytes(body(8192 - 21))).state).not.toBeNull();
    expect(refusal(bytes(body(8192 - 20))).code).toBe(413);
  });
});

describe("client errors are never 500", () => {
  it("property: any bytes are parsed or refused with a ShadowError of a 4xx code", () => {
    const payloads = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.jsonValue().map((v) => bytes(JSON.stringify(v))),
      fc.record({ state: fc.jsonValue(), version: fc.jsonValue(), clientToken: fc.jsonValue() },
        { requiredKeys: [] }).map((v) => bytes(JSON.stringify(v))),
    );
    fc.assert(fc.property(payloads, (payload) => {
      for (const parse of [parseUpdateRequest, parseTokenRequest]) {
        try {
          parse(payload);
        } catch (error) {
          expect(error).toBeInstanceOf(ShadowError);
          expect([400, 413, 415]).toContain((error as ShadowError).code);
        }
      }
    }));
  });
});

describe("parseTokenRequest", () => {
  it("accepts an empty payload and an object with a clientToken", () => {
    expect(parseTokenRequest(bytes(""))).toEqual({});
    expect(parseTokenRequest(bytes('{"clientToken":"x"}'))).toEqual({ clientToken: "x" });
  });

  it("refuses invalid JSON with 400", () => {
    expect(refusal(bytes("{"), parseTokenRequest).message).toBe("Invalid JSON");
  });
});
