import { existsSync, readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDbc, type Dbc } from "../../../drivers/dbc/index.js";
import { dataPath, hasShared, truthPath } from "../../support/sharedData.js";

interface Truth {
  status: "ok" | "ok_non_strict" | "cantools_failed";
  strict_error?: string;
  [count: string]: unknown;
}

interface DecodedTruth {
  frames: {
    input: { id: string; extended: boolean; data_hex: string };
    message: string;
    physical: Record<string, number>;
    raw: Record<string, number>;
  }[];
}

const files = hasShared ? readdirSync(dataPath("dbc")).sort() : [];
const truthOf = (file: string) =>
  JSON.parse(readFileSync(truthPath("dbc", `${file}.json`), "utf8")) as Truth;
const load = (file: string, strict: boolean): Dbc =>
  parseDbc(readFileSync(dataPath("dbc", file)), { file, strict });

function counts(dbc: Dbc): Record<string, number> {
  const signals = dbc.messages.flatMap((m) => m.signals);
  const count = (f: (s: (typeof signals)[number]) => boolean) => signals.filter(f).length;
  return {
    messages: dbc.messages.length,
    signals: signals.length,
    multiplexed_signals: count((s) => s.multiplexedBy !== undefined),
    multiplexer_signals: count((s) => s.isMultiplexer),
    big_endian_signals: count((s) => s.byteOrder === "big_endian"),
    little_endian_signals: count((s) => s.byteOrder === "little_endian"),
    signed_signals: count((s) => s.signed),
    float_signals: count((s) => s.valueType !== "integer"),
    signals_with_choices: count((s) => s.choices !== undefined),
    multiplexed_messages: dbc.messages.filter((m) => m.multiplexed).length,
    extended_id_messages: dbc.messages.filter((m) => m.extended).length,
    fd_messages: dbc.messages.filter((m) => m.fd).length,
    nodes: dbc.nodes.length,
  };
}

describe.skipIf(!hasShared)("real DBC files", () => {
  it("finds the shared DBC files", () => {
    expect(files.length).toBeGreaterThanOrEqual(48);
  });

  describe.each(files)("%s", (file) => {
    const truth = truthOf(file);

    it("loads (strictly where the reference tool does) with the reference counts", () => {
      const dbc = load(file, truth.status === "ok");
      if (truth.status === "cantools_failed") return;
      const expected = Object.fromEntries(
        Object.keys(counts(dbc)).map((k) => [k, truth[k]]),
      );
      expect(counts(dbc)).toEqual(expected);
    });

    const unfit = /The signal (\w+) does not fit/.exec(truth.strict_error ?? "")?.[1];
    if (unfit !== undefined) {
      it(`is refused strictly, and flags ${unfit} leniently`, () => {
        expect(() => load(file, true)).toThrow(/SG_ \w+ in BO_ \w+.*needs \d+ bytes/);
        const lenient = load(file, false);
        expect(lenient.warnings.join("\n")).toContain(`SG_ ${unfit} `);
        const flagged = lenient.messages.flatMap((m) => m.signals).find((s) => s.name === unfit);
        expect(flagged?.fitsMessage).toBe(false);
      });
    }

    it("gives the same values through decode and the allocation-free decodeInto", () => {
      const dbc = load(file, truth.status === "ok");
      if (dbc.messages.length === 0) return;
      const out = new Float64Array(dbc.maxSignals);
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: dbc.messages.length - 1 }),
          fc.uint8Array({ minLength: 64, maxLength: 64 }),
          (which, bytes) => {
            const message = dbc.messages[which];
            if (message === undefined) return;
            const frame = { ...message, data: bytes.subarray(0, message.length) };
            const decoded = dbc.decode(frame);
            if (decoded?.message !== message) return; // an earlier message with the same id
            dbc.decodeInto(frame, out);
            const present = new Map(decoded.signals.map((s) => [s.signal.index, s.value]));
            for (const signal of message.signals) {
              const value = present.get(signal.index);
              if (value === undefined) expect(out[signal.index]).toBeNaN();
              else expect(out[signal.index]).toBe(Number(value));
            }
          },
        ),
        { numRuns: 50 },
      );
    });

    const overlap = /The signals (\w+) and (\w+) are overlapping/.exec(truth.strict_error ?? "");
    if (overlap !== null) {
      it(`warns that ${overlap[1]} and ${overlap[2]} share bits`, () => {
        const pair = [overlap[1], overlap[2]].sort().join(" ");
        const warned = load(file, true).warnings.map((w) => /signals (\w+) and (\w+) share/.exec(w))
          .map((m) => (m === null ? "" : [m[1], m[2]].sort().join(" ")));
        expect(warned).toContain(pair);
      });
    }

    const decodedFile = truthPath("dbc", `${file}.decoded.json`);
    if (!existsSync(decodedFile)) return;
    it("decodes the reference frames to the same values", () => {
      const dbc = load(file, truth.status === "ok");
      const reference = JSON.parse(readFileSync(decodedFile, "utf8")) as DecodedTruth;
      expect(reference.frames.length).toBe(20);
      for (const f of reference.frames) {
        const frame = {
          id: parseInt(f.input.id, 16),
          extended: f.input.extended,
          data: Uint8Array.from(Buffer.from(f.input.data_hex, "hex")),
        };
        const decoded = dbc.decode(frame);
        expect(decoded?.message.name).toBe(f.message);
        const byName = new Map(decoded?.signals.map((s) => [s.name, s]));
        expect([...byName.keys()].sort()).toEqual(Object.keys(f.physical).sort());
        for (const [name, value] of Object.entries(f.physical)) {
          expect(byName.get(name)?.value).toBeCloseTo(value, 9);
          expect(byName.get(name)?.raw).toBe(f.raw[name]);
        }
      }
    });
  });
});
