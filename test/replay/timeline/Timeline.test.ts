import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FormatError } from "../../../replay/formats/FormatError.js";
import type { LogRecord } from "../../../replay/formats/LogRecord.js";
import { ChannelMap } from "../../../replay/timeline/ChannelMap.js";
import { IdFilter } from "../../../replay/timeline/IdFilter.js";
import { Timeline, type TimelineEntry } from "../../../replay/timeline/Timeline.js";
import { arrayReader, frameAt, MS, S } from "../arrayReader.js";

async function collect(timeline: Timeline): Promise<TimelineEntry[]> {
  const out: TimelineEntry[] = [];
  for await (const batch of timeline.batches()) out.push(...batch);
  return out;
}

const T0 = 1_700_000_000n * 1_000_000_000n;

describe("Timeline", () => {
  it("merges sources by absolute time, each shifted by its own start", async () => {
    const a = arrayReader("a.log", T0, [frameAt(0, 1), frameAt(20 * MS, 1), frameAt(40 * MS, 1)]);
    const b = arrayReader("b.log", T0 + 10n * 1_000_000n, [frameAt(0, 2), frameAt(20 * MS, 2)]);
    const timeline = new Timeline([{ reader: a }, { reader: b }]);
    const entries = await collect(timeline);
    expect(timeline.originNs).toBe(T0);
    expect(entries.map((e) => [e.timeNs / MS, e.source])).toEqual([
      [0, 0], [10, 1], [20, 0], [30, 1], [40, 0],
    ]);
  });

  it("reports each entry's recorded epoch time from its own source's start", async () => {
    const a = arrayReader("a.log", T0 + 5n, [frameAt(7, 1)]);
    const b = arrayReader("b.log", T0, [frameAt(3, 2)]);
    const timeline = new Timeline([{ reader: a }, { reader: b }]);
    const entries = await collect(timeline);
    expect(entries.map((e) => timeline.recordedNs(e))).toEqual([T0 + 3n, T0 + 12n]);
  });

  it("applies a per-source offset, moving the origin when a source moves earlier", async () => {
    const a = arrayReader("a.log", T0, [frameAt(0, 1), frameAt(100 * MS, 1)]);
    const b = arrayReader("b.log", T0, [frameAt(0, 2)]);
    const timeline = new Timeline([{ reader: a }, { reader: b, offsetNs: 50 * MS }]);
    const entries = await collect(timeline);
    expect(entries.map((e) => [e.timeNs / MS, e.source])).toEqual([[0, 0], [50, 1], [100, 0]]);

    const earlier = new Timeline([{ reader: a }, { reader: b, offsetNs: -30 * MS }]);
    expect(earlier.originNs).toBe(T0 - 30_000_000n);
    const shifted = await collect(earlier);
    expect(shifted.map((e) => e.timeNs / MS)).toEqual([0, 30, 130]);
  });

  it("keeps only the chosen channels and the IDs the filter accepts", async () => {
    const reader = arrayReader("a.log", T0, [
      frameAt(1, 0x100, "can0"), frameAt(2, 0x200, "can0"), frameAt(3, 0x100, "can1"),
      frameAt(4, 0x150, "can0"),
    ]);
    const timeline = new Timeline([{ reader }], {
      channels: ["can0"],
      idFilter: IdFilter.parse(["100-1FF"]),
    });
    const entries = await collect(timeline);
    expect(entries.map((e) => e.timeNs)).toEqual([1, 4]);
  });

  it("maps channels OUT=IN and drops unmapped channels, as canplayer does", async () => {
    const reader = arrayReader("a.log", T0, [frameAt(1, 1, "can1"), frameAt(2, 2, "can2")]);
    const timeline = new Timeline([{ reader }], { channelMap: ChannelMap.parse(["vcan0=can1"]) });
    const entries = await collect(timeline);
    expect(entries).toHaveLength(1);
    const record = entries[0]?.record;
    expect(record?.channel).toBe("vcan0");
    expect(record?.kind === "frame" && record.frame.channel).toBe("vcan0");
  });

  it("restricts to the window [fromNs, toNs]", async () => {
    const records = [0, 10, 20, 30, 40].map((ms) => frameAt(ms * MS, 1));
    const timeline = new Timeline([{ reader: arrayReader("a.log", T0, records) }], {
      fromNs: 10 * MS,
      toNs: 30 * MS,
    });
    expect((await collect(timeline)).map((e) => e.timeNs / MS)).toEqual([10, 20, 30]);
  });

  it("stops on a backward timestamp, naming the source and the record", async () => {
    const reader = arrayReader("jump.log", T0, [frameAt(0, 1), frameAt(5 * S, 1), frameAt(3 * S, 1)]);
    const timeline = new Timeline([{ reader }]);
    const error = await collect(timeline).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).file).toBe("jump.log");
    expect((error as FormatError).where).toBe("record 3");
    expect((error as FormatError).message).toMatch(/5\.000000 s.*3\.000000 s/);
  });

  it("hands on the entries before a failing record, then the error", async () => {
    const records = [frameAt(0, 1), frameAt(1 * S, 1), frameAt(2 * S, 1), frameAt(1 * S, 1)];
    const timeline = new Timeline([{ reader: arrayReader("jump.log", T0, records) }]);
    const seen: number[] = [];
    let error: unknown;
    try {
      for await (const batch of timeline.batches()) seen.push(...batch.map((e) => e.timeNs / S));
    } catch (e) {
      error = e;
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).where).toBe("record 4");
  });

  it("closes the readers' iterations when the consumer stops early", async () => {
    const reader = arrayReader("a.log", T0, [frameAt(0, 1), frameAt(1, 1), frameAt(2, 1)], 1);
    let returned = false;
    const original = reader.batches.bind(reader);
    reader.batches = (options) => {
      const it = original(options)[Symbol.asyncIterator]();
      return {
        [Symbol.asyncIterator]: () => ({
          next: () => it.next(),
          return: (v?: unknown) => {
            returned = true;
            return it.return ? it.return(v) : Promise.resolve({ done: true, value: undefined });
          },
        }),
      };
    };
    for await (const _ of new Timeline([{ reader }], { batchSize: 1 }).batches()) break;
    expect(returned).toBe(true);
  });

  it("yields the same multiset as a sort of all sources, in time order (property)", async () => {
    const source = fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(fc.array(source, { minLength: 1, maxLength: 5 }), async (lists) => {
        const readers = lists.map((times, i) => {
          const sorted = [...times].sort((x, y) => x - y);
          const records: LogRecord[] = sorted.map((t) => frameAt(t, i));
          return { reader: arrayReader(`s${i}`, T0 + BigInt(i * 7), records, 3) };
        });
        const entries = await collect(new Timeline(readers, { batchSize: 4 }));
        const expected = lists
          .flatMap((times, i) => times.map((t) => t + i * 7))
          .sort((x, y) => x - y);
        const got = entries.map((e) => e.timeNs);
        expect(got).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
