import { describe, expect, it } from "vitest";
import { looksLikeAsc } from "../../../../replay/formats/asc/looksLikeAsc.js";
import { looksLikeCandump } from "../../../../replay/formats/candump/looksLikeCandump.js";

const bytes = (s: string) => Buffer.from(s, "latin1");
const ASC = "date Thu Apr 28 10:44:52.480 am 2022\r\nbase hex  timestamps absolute\r\n";
const CANDUMP = "(1436509052.249713) vcan0 123#DEADBEEF\n";

describe("format sniffing", () => {
  it("tells ASC from candump by the first bytes", () => {
    expect(looksLikeAsc(bytes(ASC))).toBe(true);
    expect(looksLikeAsc(bytes("base dec  timestamps relative\n"))).toBe(true);
    expect(looksLikeAsc(bytes(CANDUMP))).toBe(false);
    expect(looksLikeCandump(bytes(CANDUMP))).toBe(true);
    expect(looksLikeCandump(bytes(`\n\n${CANDUMP}`))).toBe(true);
    expect(looksLikeCandump(bytes("(1.000000000) can0 12345678##1"))).toBe(true);
    expect(looksLikeCandump(bytes(ASC))).toBe(false);
  });

  it("rejects binary and other text", () => {
    expect(looksLikeAsc(Uint8Array.of(0x1f, 0x8b, 8, 0))).toBe(false);
    expect(looksLikeCandump(bytes("##MDF     4.11"))).toBe(false);
    expect(looksLikeCandump(bytes("(1.00000) can0 123#"))).toBe(false);
  });
});
