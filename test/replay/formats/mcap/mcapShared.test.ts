import { describe, expect, it } from "vitest";
import type { LogReader } from "../../../../replay/formats/LogReader.js";
import type { LogRecord } from "../../../../replay/formats/LogRecord.js";
import { mcapDecompress } from "../../../../replay/formats/mcap/mcapDecompress.js";
import { McapLogReader } from "../../../../replay/formats/mcap/McapLogReader.js";
import { openMcap } from "../../../../replay/formats/mcap/openMcap.js";
import { scanMcap } from "../../../../replay/formats/mcap/scanMcap.js";
import { FileSource } from "../../../../replay/sources/FileSource.js";
import { casePath, dataPath, hasShared } from "../../../support/sharedData.js";

async function readAll(reader: LogReader): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const batch of reader.batches()) records.push(...batch);
  return records;
}

/** Message counts per topic and chunk compression, as the data manifest lists them. */
const files: Record<string, { topics: Record<string, number>; compression: string }> = {
  "rosbag2__talker.mcap": {
    topics: { "/topic": 10, "/rosout": 10, "/parameter_events": 0 },
    compression: "zstd",
  },
  "rosbag2__multiple_files_0.mcap": { topics: { "/chatter": 1324 }, compression: "zstd" },
  "rosbag2__multiple_files_2.mcap": { topics: { "/chatter": 529 }, compression: "zstd" },
  "rosbag2__cdr_test_0.mcap": {
    topics: { "/test_topic": 3, "/array_topic": 4 },
    compression: "none",
  },
  "rosbag2__rewriter_b_0.mcap": { topics: { a_empty: 25, c_strings: 50 }, compression: "none" },
  "rosbag2__test_bag_for_seek_0.mcap": { topics: { topic1: 5 }, compression: "none" },
  "rosbag2__bag_with_topics_and_service_events.mcap": {
    topics: {
      "/test_topic1": 1,
      "/test_topic2": 1,
      "/test_service1/_service_event": 4,
      "/test_service2/_service_event": 4,
      "/events/write_split": 0,
    },
    compression: "none",
  },
};

describe.skipIf(!hasShared)("MCAP reader on the shared files", () => {
  for (const [file, expected] of Object.entries(files)) {
    it(`reads every message of ${file} in time order through its index`, async () => {
      const reader = await openMcap(await FileSource.open(dataPath("mcap", file)));
      try {
        const description = reader.describe();
        expect(description).toMatchObject({ format: "mcap", finalized: true });
        expect(description.details?.["indexed"]).toBe(true);
        expect(description.compression).toEqual([expected.compression]);
        const counts = Object.fromEntries(description.groups.map((g) => [g.name, g.count]));
        expect(counts).toEqual(expected.topics);

        const records = await readAll(reader);
        const perTopic: Record<string, number> = {};
        for (const r of records) perTopic[r.channel] = (perTopic[r.channel] ?? 0) + 1;
        const nonEmpty = Object.entries(expected.topics).filter(([, n]) => n > 0);
        expect(perTopic).toEqual(Object.fromEntries(nonEmpty));
        expect(records[0]?.timeNs).toBe(0);
        expect(records.every((r, i) => i === 0 || r.timeNs >= (records[i - 1]?.timeNs ?? 0)))
          .toBe(true);
      } finally {
        await reader.close();
      }
    });

    it(`gives the same stream from a scan of ${file} as from its index`, async () => {
      const indexed = await openMcap(await FileSource.open(dataPath("mcap", file)));
      const source = await FileSource.open(dataPath("mcap", file));
      const contents = await scanMcap(source, await source.size(), await mcapDecompress(), "test");
      const scanned = new McapLogReader(source, contents);
      try {
        expect(scanned.startNs).toBe(indexed.startNs);
        expect(await readAll(scanned)).toEqual(await readAll(indexed));
        // A channel without messages may be written in the summary only, which a scan skips.
        const withMessages = (reader: LogReader) =>
          reader.describe().groups.filter((g) => (g.count ?? 0) > 0);
        expect(withMessages(scanned)).toEqual(withMessages(indexed));
      } finally {
        await indexed.close();
        await scanned.close();
      }
    });
  }

  it("scans chunks whose indexes list no message indexes (mcap#1735)", async () => {
    const reader = await openMcap(
      await FileSource.open(casePath("mcap-1735", "no_message_index.mcap")),
    );
    try {
      expect(reader.describe().details?.["indexed"]).toBe(false);
      const records = await readAll(reader);
      const seen = records.map((r) => {
        const data = r.kind === "message" ? r.message.data : new Uint8Array(0);
        return [r.timeNs, r.channel, JSON.parse(new TextDecoder().decode(data)) as unknown];
      });
      expect(reader.startNs).toBe(1_000_000_000n);
      expect(seen).toEqual([1, 2, 3, 4, 5, 6].map((t) => {
        const topic = t % 2 === 1 ? "/a" : "/b";
        return [(t - 1) * 1_000_000_000, topic, { topic, t }];
      }));
    } finally {
      await reader.close();
    }
  });
});
