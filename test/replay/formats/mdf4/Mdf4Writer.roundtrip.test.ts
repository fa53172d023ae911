import { mkdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeFrame, type CanFrame } from "../../../../drivers/can/CanFrame.js";
import type { LogRecord } from "../../../../replay/formats/LogRecord.js";
import {
  Mdf4Writer,
  type Mdf4Compression,
  type Mdf4WriterOptions,
} from "../../../../replay/formats/mdf4/Mdf4Writer.js";
import { openMdf4 } from "../../../../replay/formats/mdf4/Mdf4Reader.js";
import { FileSource } from "../../../../replay/sources/FileSource.js";
import { repoRoot } from "../../../support/sharedData.js";

const outDir = join(repoRoot, ".test-out", "mdf4-writer-roundtrip");
mkdirSync(outDir, { recursive: true });
const START_NS = 1_717_228_800_000_000_001n;
/** Float64 seconds give the time back to the ns for the first 2^21 s (24 days) of a log. */
const EXACT_SPAN_NS = 2 ** 21 * 1e9;

interface Timed {
  frame: CanFrame;
  timeNs: number;
}

function write(path: string, frames: readonly Timed[], options: Mdf4WriterOptions): void {
  const writer = Mdf4Writer.create(path, { startNs: START_NS, ...options });
  for (const { frame, timeNs } of frames) writer.write(frame, timeNs);
  writer.close();
}

async function readBack(path: string): Promise<{ startNs: bigint; records: LogRecord[] }> {
  const reader = await openMdf4(await FileSource.open(path));
  try {
    const records: LogRecord[] = [];
    for await (const batch of reader.batches()) records.push(...batch);
    return { startNs: reader.startNs, records };
  } finally {
    await reader.close();
  }
}

/** What a frame must read back as: the reader always reports a direction, Rx by default. */
function expected({ frame, timeNs }: Timed): { timeNs: number; frame: CanFrame } {
  return { timeNs, frame: { ...frame, data: Uint8Array.from(frame.data), dir: frame.dir ?? "rx" } };
}

function actual(record: LogRecord): { timeNs: number; frame: CanFrame | undefined } {
  if (record.kind !== "frame") return { timeNs: record.timeNs, frame: undefined };
  const frame = { ...record.frame, data: Uint8Array.from(record.frame.data) };
  return { timeNs: record.timeNs, frame };
}

const dataFrame = fc.record({
  id: fc.integer({ min: 0, max: 0x1fffffff }),
  extended: fc.boolean(),
  fd: fc.boolean(),
  brs: fc.boolean(),
  esi: fc.boolean(),
  // Names other than canN are numbered from 255 down and named in a BusChannel conversion.
  channel: fc.oneof(
    fc.integer({ min: 0, max: 127 }).map((n) => `can${n}`),
    fc.constantFrom("vcan0", "body", "chassis-fd"),
  ),
  dir: fc.constantFrom<"rx" | "tx" | undefined>("rx", "tx", undefined),
  payload: fc.uint8Array({ maxLength: 64 }),
  dlc: fc.integer({ min: 0, max: 15 }),
});

type RawFrame = typeof dataFrame extends fc.Arbitrary<infer T> ? T : never;

const classicOnly = { fd: false, brs: false, esi: false } as const;
const frameArb: fc.Arbitrary<CanFrame> = fc.oneof(
  { weight: 6, arbitrary: dataFrame.map(toDataFrame) },
  {
    weight: 1,
    arbitrary: dataFrame.map((f) => ({
      ...toDataFrame(f),
      ...classicOnly,
      remote: true,
      data: new Uint8Array(0),
      dlc: f.dlc,
    })),
  },
  {
    weight: 1,
    arbitrary: dataFrame.map((f) => {
      const data = f.payload.slice(0, 8);
      return { ...toDataFrame(f), ...classicOnly, error: true, data, dlc: data.length };
    }),
  },
);

function toDataFrame(f: RawFrame): CanFrame {
  const id = f.extended ? f.id : f.id & 0x7ff;
  const common = { extended: f.extended, channel: f.channel, ...(f.dir ? { dir: f.dir } : {}) };
  if (f.fd) {
    const fd = { ...common, fd: true, brs: f.brs, esi: f.esi };
    return makeFrame(id, fdPayload(f.payload), fd);
  }
  // Classic frames carry 0–8 bytes; with 8, a DLC code of 9–15 still means 8 (len8_dlc).
  const data = f.payload.slice(0, 8);
  const dlc = data.length === 8 ? Math.max(8, f.dlc) : data.length;
  return makeFrame(id, data, { ...common, fd: false, dlc });
}

function fdPayload(payload: Uint8Array): Uint8Array {
  const lengths = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];
  const length = lengths.filter((l) => l <= payload.length).at(-1) ?? 0;
  return payload.slice(0, length);
}

const timedFrames = fc
  .array(fc.tuple(frameArb, fc.integer({ min: 0, max: 5e9 })), { maxLength: 200 })
  .map((pairs) => {
    let timeNs = 0;
    return pairs.map(([frame, step]) => {
      timeNs = Math.min(EXACT_SPAN_NS, timeNs + step);
      return { frame, timeNs };
    });
  });

/** The reader merges groups by time; ties across groups may come in any group order. */
function byTime(list: { timeNs: number; frame: CanFrame | undefined }[]): typeof list {
  const kind = (f: CanFrame | undefined): number => (f?.error ? 2 : f?.remote ? 1 : 0);
  return list
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.timeNs - b.r.timeNs || kind(a.r.frame) - kind(b.r.frame) || a.i - b.i)
    .map(({ r }) => r);
}

describe("Mdf4Writer round trip through openMdf4", () => {
  it.each(["none", "deflate", "transposed-deflate"] as const)(
    "reads every field of classic, FD, remote and error frames back (%s)",
    async (compression: Mdf4Compression) => {
      const fdBytes = new Uint8Array(64).fill(0x5a);
      const errorBytes = Uint8Array.of(0, 4, 2, 0, 0, 0, 0, 0);
      const frames: Timed[] = [
        { frame: makeFrame(0x123, Uint8Array.of(1, 2, 3), { channel: "can1" }), timeNs: 0 },
        { frame: makeFrame(0xabcdef0, Uint8Array.of(7), { dir: "tx" }), timeNs: 1 },
        { frame: makeFrame(0x7ff, fdBytes, { brs: true, esi: true }), timeNs: 999_999_999 },
        { frame: makeFrame(0x10, new Uint8Array(8).fill(1), { dlc: 15 }), timeNs: 1e9 },
        {
          frame: makeFrame(0x42, new Uint8Array(0), { remote: true, dlc: 6, channel: "can2" }),
          timeNs: 1e9 + 1,
        },
        { frame: makeFrame(0x0c, errorBytes, { error: true, dlc: 8 }), timeNs: 86_400e9 + 7 },
      ];
      const path = join(outDir, `fields-${compression}.mf4`);
      write(path, frames, { compression, blockBytes: 256 });
      const { startNs, records } = await readBack(path);
      expect(startNs).toBe(START_NS);
      expect(records.map(actual)).toEqual(frames.map(expected));
      expect(records.every((r) => r.kind === "frame" && r.channel === r.frame.channel)).toBe(true);
    },
  );

  it("reads classic frames back from 8-byte DataBytes records", async () => {
    const path = join(outDir, "classic.mf4");
    await fc.assert(
      fc.asyncProperty(timedFrames, async (frames) => {
        const classic = frames.filter((f) => !f.frame.fd);
        write(path, classic, { dataBytes: 8, compression: "transposed-deflate" });
        const { records } = await readBack(path);
        expect(byTime(records.map(actual))).toEqual(byTime(classic.map(expected)));
      }),
      { numRuns: 30 },
    );
  });

  it("reads a version 4.20 file back and describes it as finalized", async () => {
    const path = join(outDir, "v420.mf4");
    const frames = [{ frame: makeFrame(0x321, Uint8Array.of(4, 2), { channel: "can7" }), timeNs: 5 }];
    write(path, frames, { version: "4.20", compression: "deflate" });
    const reader = await openMdf4(await FileSource.open(path));
    try {
      expect(reader.describe()).toMatchObject({ version: "4.20", finalized: true });
    } finally {
      await reader.close();
    }
    expect((await readBack(path)).records.map(actual)).toEqual(frames.map(expected));
  });

  it("reads back an empty log as no records", async () => {
    const path = join(outDir, "empty.mf4");
    write(path, [], {});
    expect((await readBack(path)).records).toEqual([]);
  });

  it("gives times back to the nanosecond anywhere in the first 2^21 s", async () => {
    const path = join(outDir, "times.mf4");
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: EXACT_SPAN_NS }), { minLength: 1, maxLength: 300 }),
        async (times) => {
          const sorted = [...times].sort((a, b) => a - b);
          const frame = makeFrame(1, Uint8Array.of(1));
          const frames = sorted.map((timeNs) => ({ frame, timeNs }));
          write(path, frames, {});
          const { records } = await readBack(path);
          expect(records.map((r) => r.timeNs)).toEqual(sorted);
        },
      ),
      { numRuns: 30 },
    );
  });

  it.each(["none", "transposed-deflate", "deflate"] as const)(
    "reads random frame sequences back equal (%s)",
    async (compression: Mdf4Compression) => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          timedFrames,
          fc.integer({ min: 1, max: 4096 }),
          async (frames, blockBytes) => {
            const path = join(outDir, `property-${compression}-${run++ % 4}.mf4`);
            write(path, frames, { compression, blockBytes });
            const { records } = await readBack(path);
            expect(byTime(records.map(actual))).toEqual(byTime(frames.map(expected)));
          },
        ),
        { numRuns: 40 },
      );
    },
  );
});
