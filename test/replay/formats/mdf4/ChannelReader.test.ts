import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rawReader } from "../../../../replay/formats/mdf4/ChannelReader.js";
import { IDENTITY } from "../../../../replay/formats/mdf4/Conversion.js";
import type { Mdf4Channel } from "../../../../replay/formats/mdf4/Mdf4Structure.js";

function channel(dataType: number, byteOffset: number, bitOffset: number, bitCount: number):
  Mdf4Channel {
  return {
    name: "x", offset: 0, type: 0, syncType: 0, dataType, bitOffset, byteOffset, bitCount,
    flags: 0, invalBitPos: 0, conversion: IDENTITY, unit: "", dataLink: 0, members: [],
    isArray: false,
  };
}

function read(ch: Mdf4Channel, bytes: number[]): number | bigint {
  const b = Uint8Array.from(bytes);
  const reader = rawReader(ch);
  if (reader === undefined) throw new Error("no reader");
  return reader(b, new DataView(b.buffer), 0);
}

describe("rawReader", () => {
  it("reads 64-bit integers as numbers below 2^53 and as bigints above", () => {
    expect(read(channel(0, 0, 0, 64), [1, 0, 0, 0, 1, 0, 0, 0])).toBe(2 ** 32 + 1);
    expect(read(channel(0, 0, 0, 64), [0, 0, 0, 0, 0, 0, 0, 0x80])).toBe(1n << 63n);
    expect(read(channel(2, 0, 0, 64), [0xfe, ...Array<number>(7).fill(0xff)])).toBe(-2);
    expect(read(channel(3, 0, 0, 64), [0x80, 0, 0, 0, 0, 0, 0, 0])).toBe(-(1n << 63n));
  });

  it("reads fields at a bit offset, signed by their top bit", () => {
    // 12 bits from bit 4 of byte 1: 0xABC
    expect(read(channel(0, 1, 4, 12), [0xff, 0xc0, 0xab])).toBe(0xabc);
    expect(read(channel(2, 1, 4, 12), [0xff, 0xc0, 0xab])).toBe(0xabc - 0x1000);
    expect(read(channel(0, 0, 3, 29), [0x08, 0, 0, 0x80])).toBe(0x10000001);
  });

  it("reads big-endian integers and floats", () => {
    expect(read(channel(1, 0, 0, 16), [0x12, 0x34])).toBe(0x1234);
    expect(read(channel(5, 0, 0, 64), [0x40, 0x02, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66])).toBe(2.3);
    expect(read(channel(4, 0, 0, 32), [0, 0, 0xc0, 0x3f])).toBe(1.5);
  });

  it("reads a 60-bit field exactly as a bigint", () => {
    const bytes = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f];
    expect(read(channel(0, 0, 0, 60), bytes)).toBe((1n << 60n) - 1n);
  });
});

/** Reference: the field as a BigInt over its bytes in the field's byte order, then bit slicing. */
function reference(bytes: Uint8Array, at: number, bitOffset: number, bits: number, le: boolean,
  signed: boolean): number {
  const span = Math.ceil((bitOffset + bits) / 8);
  let acc = 0n;
  for (let i = 0; i < span; i++) {
    const byte = bytes[at + (le ? span - 1 - i : i)] ?? 0;
    acc = (acc << 8n) | BigInt(byte);
  }
  const value = BigInt.asUintN(bits, acc >> BigInt(bitOffset));
  return Number(signed ? BigInt.asIntN(bits, value) : value);
}

describe("rawReader on bit fields", () => {
  it("agrees with a BigInt reference for every field within 53 bits (both byte orders)", () => {
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.integer({ min: 0, max: 8 }),
      fc.integer({ min: 0, max: 7 }),
      fc.integer({ min: 1, max: 45 }),
      fc.boolean(),
      fc.boolean(),
      (bytes, at, bitOffset, bits, le, signed) => {
        const dataType = (signed ? 2 : 0) + (le ? 0 : 1);
        const got = read(channel(dataType, at, bitOffset, bits), [...bytes]);
        expect(got).toBe(reference(bytes, at, bitOffset, bits, le, signed));
      },
    ), { numRuns: 3000 });
  });
});
