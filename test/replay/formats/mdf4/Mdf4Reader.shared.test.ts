import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FormatError, UnsupportedError } from "../../../../replay/formats/FormatError.js";
import { openMdf4, type Mdf4Reader } from "../../../../replay/formats/mdf4/Mdf4Reader.js";
import { FileSource } from "../../../../replay/sources/FileSource.js";
import { dataPath, hasShared, truthPath } from "../../../support/sharedData.js";
import { canonicalLines, sha256Lines } from "./canonicalLines.js";

interface ChannelTruth {
  dtype: string;
  shape?: number[];
  first?: unknown;
  last?: unknown;
  min?: unknown;
  max?: unknown;
}

interface Truth {
  status: string;
  kind?: string;
  frames_total?: number;
  frames_per_bus?: Record<string, number>;
  sha256?: string;
  first5?: string[];
  last5?: string[];
  groups?: { index: number; channel_values?: Record<string, ChannelTruth> }[];
}

/** Files (or channels) that roadrig does not read, and why; everything else must match. */
const MALFORMED = new Set(["mdf4-rs__sample_with_hl.mf4"]);
const UNSUPPORTED_CHANNELS: Record<string, RegExp> = {
  // complex64/complex128 (cn_data_type 15)
  "asam_ods_exd_api_mdf4__all_datatypes_test.mf4": /cn_data_type 15/,
  // an algebraic conversion (cc_type 3)
  "asam_ods_exd_api_mdf4__asammdf_dimensional_demo.mf4": /cc_type 3/,
  // array channels (CA blocks)
  "openatfx.mdf__Vector_MeasurementArrays.mf4": /array channels/,
};

const files = hasShared ? readdirSync(dataPath("mf4")).sort() : [];

function truthOf(file: string): Truth {
  return JSON.parse(readFileSync(truthPath("mf4", `${file}.json`), "utf8")) as Truth;
}

async function withReader<T>(file: string, fn: (r: Mdf4Reader) => Promise<T>): Promise<T> {
  const source = await FileSource.open(dataPath("mf4", file));
  let reader: Mdf4Reader;
  try {
    reader = await openMdf4(source);
  } catch (err) {
    await source.close();
    throw err;
  }
  try {
    return await fn(reader);
  } finally {
    await reader.close();
  }
}

function close(a: unknown, b: unknown): boolean {
  if (typeof a === "bigint") return close(Number(a), b);
  if (typeof a === "number" && typeof b === "number") {
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  }
  return String(a) === String(b);
}

describe.skipIf(!hasShared)("Mdf4Reader on the shared MDF4 files", () => {
  const canFiles = files.filter((f) => truthOf(f).kind === "can_bus_logging");
  const signalFiles = files.filter((f) => truthOf(f).kind === "non_bus");

  it("knows every shared file as bus log, signal file or malformed", () => {
    expect(canFiles.length + signalFiles.length + MALFORMED.size).toBe(files.length);
  });

  it.each(canFiles)("%s: frames match the reference lines", async (file) => {
    const truth = truthOf(file);
    const lines = await withReader(file, canonicalLines);
    expect(lines.length).toBe(truth.frames_total);
    expect(lines.slice(0, 5)).toEqual(truth.first5 ?? []);
    expect(lines.slice(-5)).toEqual(truth.last5 ?? []);
    const perBus: Record<string, number> = {};
    for (const l of lines) {
      const bus = l.split(" ")[1] as string;
      perBus[bus] = (perBus[bus] ?? 0) + 1;
    }
    expect(perBus).toEqual(truth.frames_per_bus);
    expect(sha256Lines(lines)).toBe(truth.sha256);
    const candump = truthPath("mf4", `${file}.candump`);
    if (existsSync(candump) && lines.length > 0) {
      expect(`${lines.join("\n")}\n`).toBe(readFileSync(candump, "utf8"));
    }
  });

  it.each(signalFiles)("%s: channel values match the reference", async (file) => {
    const truth = truthOf(file);
    const unsupported = UNSUPPORTED_CHANNELS[file];
    let checked = 0;
    let refused = 0;
    await withReader(file, async (reader) => {
      for (const group of truth.groups ?? []) {
        for (const [key, want] of Object.entries(group.channel_values ?? {})) {
          const name = key.slice(key.indexOf(":") + 1);
          try {
            const got = await summarize(reader, group.index, name);
            expect(got.count, `${key} count`).toBe(want.shape?.[0]);
            expect(close(got.first, want.first), `${key} first ${String(got.first)}`).toBe(true);
            expect(close(got.last, want.last), `${key} last ${String(got.last)}`).toBe(true);
            if (typeof want.min === "number" && got.min !== undefined) {
              expect(close(got.min, want.min), `${key} min`).toBe(true);
              expect(close(got.max, want.max), `${key} max`).toBe(true);
            }
            checked++;
          } catch (err) {
            if (!(err instanceof UnsupportedError) || unsupported === undefined) throw err;
            expect(err.message).toMatch(unsupported);
            refused++;
          }
        }
      }
    });
    expect(checked).toBeGreaterThan(0);
    expect(refused > 0).toBe(unsupported !== undefined);
  });

  it("fails cleanly on the file malformed on purpose", async () => {
    const err = await withReader("mdf4-rs__sample_with_hl.mf4", () => Promise.resolve()).then(
      () => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).where).toBe("##CN");
    expect((err as FormatError).offset).toBe(1144);
    expect((err as FormatError).message).toMatch(/expected at least 72 data bytes, found 68/);
  });

  it("describes a per-bus CAN log with its groups and producer", async () => {
    const d = await withReader("api-examples__7512BE4D_00000427_00000001.MF4",
      (r) => Promise.resolve(r.describe()));
    expect(d.producer).toBe("CE");
    expect(d.finalized).toBe(false);
    expect(d.groups[0]).toMatchObject({ name: "CAN9_Rx", kind: "can-data", type: "CAN9" });
    expect(d.groups.filter((g) => g.kind === "can-remote")).toHaveLength(12);
    expect(d.groups.filter((g) => g.kind === "can-error")).toHaveLength(3);
  });
});

async function summarize(reader: Mdf4Reader, group: number, channel: string):
  Promise<{ count: number; first: unknown; last: unknown; min?: number; max?: number }> {
  let count = 0;
  let first: unknown;
  let last: unknown;
  let min: number | undefined;
  let max: number | undefined;
  for await (const batch of reader.readSignal(group, channel)) {
    for (const s of batch) {
      const v = typeof s.value === "bigint" ? Number(s.value) : s.value;
      if (count === 0) first = v;
      last = v;
      count++;
      if (typeof v === "number") {
        min = min === undefined || v < min ? v : min;
        max = max === undefined || v > max ? v : max;
      }
    }
  }
  return { count, first, last, ...(min === undefined ? {} : { min, max }) };
}
