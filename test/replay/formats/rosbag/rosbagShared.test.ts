import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { openRosbag } from "../../../../replay/formats/rosbag/openRosbag.js";
import type { LogRecord } from "../../../../replay/formats/LogRecord.js";
import type { LogReader } from "../../../../replay/formats/LogReader.js";
import { FileSource } from "../../../../replay/sources/FileSource.js";
import { casePath, dataPath, hasShared, truthPath } from "../../../support/sharedData.js";

interface TopicTruth {
  type: string;
  count: number;
  first_time: string;
  last_time: string;
  sha256: string;
}

async function readAll(reader: LogReader): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const batch of reader.batches()) records.push(...batch);
  return records;
}

function bytesOf(record: LogRecord): Uint8Array {
  if (record.kind !== "message") throw new Error("expected a message record");
  return record.message.data;
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function absoluteTime(reader: LogReader, record: LogRecord): string {
  const ns = reader.startNs + BigInt(record.timeNs);
  return `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, "0")}`;
}

function line(reader: LogReader, record: LogRecord): string {
  const data = bytesOf(record);
  return `${absoluteTime(reader, record)} ${record.channel} ${data.length} ${sha256(data)}`;
}

const bags = [
  "rosbag.js__example.bag",
  "rosbag.js__example-bz2.bag",
  "rosbag.js__example-unsorted-chunks.bag",
  "rosbag.js__no-messages.bag",
  "rosbag2__test_bag_multiple_connections.bag",
];

describe.skipIf(!hasShared)("rosbag reader on the shared bags", () => {
  for (const bag of bags) {
    it(`lists every message of ${bag} in time order as the reference does`, async () => {
      const reader = await openRosbag(await FileSource.open(dataPath("bag", bag)));
      try {
        const expected = (await readFile(truthPath("bag", `${bag}.msgs.txt`), "utf8"))
          .split("\n")
          .filter((l) => l !== "");
        const lines = (await readAll(reader)).map((r) => line(reader, r));
        expect(lines).toEqual([...expected].sort(byTime));
      } finally {
        await reader.close();
      }
    });

    it(`gives per-topic type, count, first/last time and hash of ${bag}`, async () => {
      const truth = JSON.parse(await readFile(truthPath("bag", `${bag}.json`), "utf8")) as {
        topics: Record<string, TopicTruth>;
      };
      const reader = await openRosbag(await FileSource.open(dataPath("bag", bag)));
      try {
        const records = await readAll(reader);
        const groups = reader.describe().groups;
        expect(groups.map((g) => g.name).sort()).toEqual(Object.keys(truth.topics).sort());
        for (const [topic, t] of Object.entries(truth.topics)) {
          const mine = records.filter((r) => r.channel === topic);
          const hash = createHash("sha256");
          for (const r of mine) hash.update(bytesOf(r));
          const group = groups.find((g) => g.name === topic);
          expect({ type: group?.type, count: group?.count })
            .toEqual({ type: t.type, count: t.count });
          expect(mine.length).toBe(t.count);
          expect(mine.length).toBeGreaterThan(0);
          expect(absoluteTime(reader, mine[0] as LogRecord)).toBe(t.first_time);
          expect(absoluteTime(reader, mine.at(-1) as LogRecord)).toBe(t.last_time);
          expect(hash.digest("hex")).toBe(t.sha256);
        }
      } finally {
        await reader.close();
      }
    });
  }

  it("gives one identical stream for the plain and the bz2 example bags", async () => {
    const streams = [];
    for (const bag of ["rosbag.js__example.bag", "rosbag.js__example-bz2.bag"]) {
      const reader = await openRosbag(await FileSource.open(dataPath("bag", bag)));
      const records = await readAll(reader);
      streams.push({ startNs: reader.startNs, lines: records.map((r) => line(reader, r)) });
      expect(reader.describe().compression).toEqual([bag.includes("bz2") ? "bz2" : "none"]);
      await reader.close();
    }
    expect(streams[0]?.lines.length).toBe(8647);
    expect(streams[1]).toEqual(streams[0]);
  });

  it("orders the messages of chunks that are out of time order (rosbag.js#111)", async () => {
    const reader = await openRosbag(
      await FileSource.open(casePath("rosbag.js-111", "example-unsorted-chunks.bag")),
    );
    try {
      expect(reader.startNs).toBe(1_000_000_000n);
      expect(reader.describe().details?.["endNs"]).toBe(3_000_000_000n);
      const records = await readAll(reader);
      const decoded = records.map((r) => {
        const data = bytesOf(r);
        return { timeNs: r.timeNs, text: new TextDecoder().decode(data.subarray(4)) };
      });
      expect(decoded).toEqual([
        { timeNs: 0, text: "1" },
        { timeNs: 1_000_000_000, text: "2" },
        { timeNs: 2_000_000_000, text: "3" },
      ]);
    } finally {
      await reader.close();
    }
  });

  it("starts reading at fromNs", async () => {
    const reader = await openRosbag(await FileSource.open(dataPath("bag", bags[0] as string)));
    try {
      const all = await readAll(reader);
      const cut = all[5000]?.timeNs ?? 0;
      const later: LogRecord[] = [];
      for await (const batch of reader.batches({ fromNs: cut })) later.push(...batch);
      expect(later[0]?.timeNs).toBe(cut);
      expect(later.length).toBe(all.filter((r) => r.timeNs >= cut).length);
    } finally {
      await reader.close();
    }
  });
});

// msgs.txt is in the reference reader's order; time order with ties in file order is what
// the reader promises, and "sec.nsec" strings of equal width sort as their times.
function byTime(a: string, b: string): number {
  const ta = a.split(" ")[0] as string;
  const tb = b.split(" ")[0] as string;
  return ta.length - tb.length || (ta < tb ? -1 : ta > tb ? 1 : 0);
}
