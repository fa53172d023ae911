import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodePayload, encodePayload } from "../../../agent/telemetry/payloadCodec.js";
import type { TelemetryBatch } from "../../../agent/telemetry/TelemetryBatch.js";
import type { TelemetryRecord } from "../../../agent/telemetry/TelemetryRecord.js";

const name = fc.string({ minLength: 1, maxLength: 12 });
const num = fc.double({ noNaN: true, noDefaultInfinity: true });
const flag = fc.boolean().map((b) => (b ? { outOfRange: true as const } : {}));
const record: fc.Arbitrary<TelemetryRecord> = fc.oneof(
  fc.tuple(num, name, name, name, num, flag).map(([t, bus, message, signal, value, f]) =>
    ({ type: "sample" as const, t, bus, message, signal, value, ...f })),
  fc.tuple(num, fc.nat(), name, name, name, fc.nat(), fc.array(num, { minLength: 4, maxLength: 4 }),
    flag)
    .map(([t, ms, bus, message, signal, count, [min, max, mean, last], f]) => ({
      type: "window" as const, t, ms, bus, message, signal, count,
      min: min as number, max: max as number, mean: mean as number, last: last as number, ...f,
    })),
  fc.tuple(num, name, name, fc.array(fc.tuple(num, name, num), { maxLength: 5 }))
    .map(([t, trigger, bus, samples]) => ({
      type: "capture" as const, t, trigger, bus,
      samples: samples.map(([st, signal, value]) => ({ t: st, signal, value })),
    })),
);
const batch: fc.Arbitrary<TelemetryBatch> = fc.record({
  v: fc.constant(1 as const),
  stream: name,
  seq: fc.nat(),
  vehicle: name,
  createdAt: num,
  records: fc.array(record, { maxLength: 20 }),
  identifiers: fc.dictionary(name, name, { minKeys: 1, maxKeys: 3 }),
});

describe("payload forms", () => {
  it("round-trips every batch through JSON and binary, plain and gzipped", () => {
    fc.assert(fc.property(batch, fc.constantFrom("json", "binary" as const),
      fc.constantFrom("none", "gzip" as const), (b, format, compression) => {
        // JSON writes -0 as 0; the binary form keeps it. Compare as JSON would.
        const expected = JSON.parse(JSON.stringify(b)) as unknown;
        const decoded = decodePayload(encodePayload(b, format, compression));
        expect(JSON.parse(JSON.stringify(decoded))).toEqual(expected);
      }), { numRuns: 300 });
  });

  it("makes the binary form several times smaller than JSON for samples", () => {
    const records: TelemetryRecord[] = Array.from({ length: 200 }, (_, i) => ({
      type: "sample", t: 1.7e12 + i * 10, bus: "can0", message: "VehicleDynamics",
      signal: "VehicleSpeed", value: 50 + i / 100,
    }));
    const b: TelemetryBatch = { v: 1, stream: "s", seq: 1, vehicle: "v", createdAt: 0, records };
    const json = encodePayload(b, "json", "none").length;
    const binary = encodePayload(b, "binary", "none").length;
    expect(binary * 4).toBeLessThan(json);
  });

  it("keeps an identifier named __proto__ as data", () => {
    const b: TelemetryBatch = {
      v: 1, stream: "s", seq: 1, vehicle: "v", createdAt: 0, records: [],
      identifiers: JSON.parse('{"__proto__":"x","imei":"1"}') as Record<string, string>,
    };
    const decoded = decodePayload(encodePayload(b, "binary", "none"));
    expect(Object.getPrototypeOf(decoded.identifiers)).toBe(Object.prototype);
    expect(Object.entries(decoded.identifiers ?? {})).toEqual([["__proto__", "x"], ["imei", "1"]]);
  });

  it("reports a truncated binary payload with its byte offset", () => {
    const b: TelemetryBatch = { v: 1, stream: "s", seq: 1, vehicle: "v", createdAt: 0, records: [] };
    const bytes = encodePayload(b, "binary", "none");
    expect(() => decodePayload(bytes.subarray(0, bytes.length - 3))).toThrow(/at byte \d+/);
  });
});
