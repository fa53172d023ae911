import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDbc } from "../../../drivers/dbc/index.js";

interface SignalSpec {
  length: number;
  bigEndian: boolean;
  signed: boolean;
  valueType: 0 | 1 | 2;
  /** Position of the MSB in big-endian linear numbering, or of the LSB for Intel. */
  position: number;
  payload: number;
}

const specArb: fc.Arbitrary<SignalSpec> = fc
  .record({
    kind: fc.constantFrom(0, 0, 0, 1, 2),
    length: fc.integer({ min: 1, max: 64 }),
    bigEndian: fc.boolean(),
    signed: fc.boolean(),
    payload: fc.constantFrom(8, 8, 16, 64),
    slack: fc.integer({ min: 0, max: 511 }),
  })
  .map(({ kind, length, bigEndian, signed, payload, slack }) => {
    const bits = kind === 1 ? 32 : kind === 2 ? 64 : length;
    return {
      length: bits,
      bigEndian,
      signed: kind === 0 ? signed : true,
      valueType: kind,
      position: slack % (8 * payload - bits + 1),
      payload,
    };
  });

/** The DBC start bit: Intel names the LSB; Motorola the MSB in sawtooth numbering. */
function startBitOf(spec: SignalSpec): number {
  if (!spec.bigEndian) return spec.position;
  return (spec.position & ~7) + (7 - (spec.position & 7));
}

function dbcFor(spec: SignalSpec): string {
  const order = spec.bigEndian ? 0 : 1;
  const sign = spec.signed ? "-" : "+";
  return [
    'VERSION ""', "BS_:", "BU_: ECU",
    `BO_ 1 M: ${spec.payload} ECU`,
    ` SG_ S : ${startBitOf(spec)}|${spec.length}@${order}${sign} (1,0) [0|0] "" ECU`,
    spec.valueType === 0 ? "" : `SIG_VALTYPE_ 1 S : ${spec.valueType};`,
  ].join("\n");
}

/** The payload bits (byte * 8 + bit) of the signal, least significant first. */
function signalBits(spec: SignalSpec): number[] {
  const bits: number[] = [];
  for (let k = 0; k < spec.length; k++) {
    if (spec.bigEndian) {
      const linear = spec.position + spec.length - 1 - k;
      bits.push((linear >> 3) * 8 + (7 - (linear & 7)));
    } else {
      bits.push(spec.position + k);
    }
  }
  return bits;
}

const bitOf = (data: Uint8Array, bit: number) => ((data[bit >> 3] as number) >> (bit & 7)) & 1;

describe("DBC signal codec properties", () => {
  it("decodes what it encodes, for any layout, sign, width and float type", () => {
    fc.assert(
      fc.property(specArb, fc.uint8Array({ minLength: 64, maxLength: 64 }), (spec, noise) => {
        const dbc = parseDbc(dbcFor(spec));
        const frame = { id: 1, extended: false, data: noise.subarray(0, spec.payload) };
        const first = dbc.decode(frame)?.signals[0];
        expect(first).toBeDefined();
        const value = first?.value as number | bigint;
        if (typeof value === "number" && Number.isNaN(value)) return;

        const encoded = dbc.encode("M", { S: value });
        const again = dbc.decode({ ...frame, data: encoded })?.signals[0];
        expect(again?.raw).toEqual(first?.raw);
        for (const bit of signalBits(spec)) {
          expect(bitOf(encoded, bit)).toBe(bitOf(frame.data, bit));
        }
      }),
      { numRuns: 400 },
    );
  });

  it("reads the integer the signal's bits spell, sign-extended when signed", () => {
    fc.assert(
      fc.property(
        specArb.filter((s) => s.valueType === 0),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (spec, noise) => {
          const data = noise.subarray(0, spec.payload);
          const decoded = parseDbc(dbcFor(spec)).decode({ id: 1, extended: false, data });
          const bits = signalBits(spec);
          let expected = 0n;
          for (let k = bits.length - 1; k >= 0; k--) {
            expected = (expected << 1n) | BigInt(bitOf(data, bits[k] as number));
          }
          if (spec.signed) expected = BigInt.asIntN(spec.length, expected);
          expect(BigInt(decoded?.signals[0]?.raw as number | bigint)).toBe(expected);
          const exact = expected <= BigInt(Number.MAX_SAFE_INTEGER) &&
            expected >= BigInt(Number.MIN_SAFE_INTEGER);
          expect(typeof decoded?.signals[0]?.raw).toBe(exact ? "number" : "bigint");
        },
      ),
      { numRuns: 400 },
    );
  });

  it("writes the same values through the allocation-free path", () => {
    fc.assert(
      fc.property(specArb, fc.uint8Array({ minLength: 64, maxLength: 64 }), (spec, noise) => {
        const dbc = parseDbc(dbcFor(spec));
        const frame = { id: 1, extended: false, data: noise.subarray(0, spec.payload) };
        const out = new Float64Array(dbc.maxSignals);
        dbc.decodeInto(frame, out);
        const value = dbc.decode(frame)?.signals[0]?.value as number | bigint;
        expect(out[0]).toBe(Number(value));
      }),
      { numRuns: 200 },
    );
  });
});
