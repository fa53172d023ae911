import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AscReader } from "../../../../replay/formats/asc/AscReader.js";
import { formatCandumpLine } from "../../../../replay/formats/candump/formatCandumpLine.js";
import { FileSource } from "../../../../replay/sources/FileSource.js";
import { dataPath, hasShared, truthPath } from "../../../support/sharedData.js";
import {
  expectCountsOf, readFrames, type FrameCountTruth, type FrameRecord,
} from "../candump/readAll.js";

interface Truth extends FrameCountTruth {
  sha256: string;
}

// python-can names ASC channel N `N - 1`; roadrig keeps the number as written (`can1` for CAN 1).
const pythonCanChannel = (n: number): string => `can${n - 1}`;

/** Where the reference reader is known to be wrong (see the tests below). */
const DISAGREE = new Set([
  "mdf4-converters__multiple_CAN.asc",
  "python-can__single_frame.asc",
  "python-can__issue_1299.asc",
]);

const files = hasShared
  ? readdirSync(dataPath("canlog")).filter((f) => /\.asc(\.gz)?$/.test(f))
  : [];

async function read(name: string, channelName = pythonCanChannel) {
  const reader = await AscReader.open(await FileSource.open(dataPath("canlog", name)), {
    channelName,
    chunkBytes: 512,
  });
  const records = await readFrames(reader);
  await reader.close();
  return { reader, records };
}

function referenceLines(records: FrameRecord[]): string[] {
  return records
    .filter((r) => !r.frame.remote && !r.frame.error)
    .map((r) => formatCandumpLine(r.frame, BigInt(r.timeNs)));
}

function truthOf(name: string): Truth {
  return JSON.parse(readFileSync(truthPath("canlog", `${name}.json`), "utf8")) as Truth;
}

describe.skipIf(!hasShared)("ASC logs in the shared data against reference readers", () => {
  it("finds the shared ASC logs", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files.filter((f) => !DISAGREE.has(f)))("%s gives the reference frames", async (name) => {
    const truth = truthOf(name);
    const { records } = await read(name);
    const lines = referenceLines(records);
    const text = lines.map((l) => `${l}\n`).join("");
    expect(createHash("sha256").update(text).digest("hex")).toBe(truth.sha256);

    expectCountsOf(records, truth);
  });

  it("names channels can<N> as the ASC numbers them by default", async () => {
    const reader = await AscReader.open(
      await FileSource.open(dataPath("canlog", "python-can__test_CanMessage.asc")),
    );
    const records = await readFrames(reader);
    expect(records.map((r) => r.channel)).toEqual(["can2", "can1"]);
  });

  // The converter wrote the same recording as candump and as ASC. python-can drops the first ASC
  // frame (it takes the line after the header for a header line) and cuts FD payloads to 8
  // bytes; the candump twin shows what the frames are.
  it("reads mdf4-converters' ASC as the same frames and epoch times as its candump twin",
    async () => {
      const name = "mdf4-converters__multiple_CAN.asc";
      const { reader, records } = await read(name);
      const twin = readFileSync(truthPath("canlog", "mdf4-converters__multiple_CAN.log.candump"),
        "utf8").split("\n").filter((l) => l !== "");
      expect(records).toHaveLength(twin.length);
      expect(reader.describe().details?.fdPayloadInClassicLines).toBe(56);
      records.forEach((r, k) => {
        const expected = twin[k] ?? "";
        const line = formatCandumpLine(r.frame, reader.startNs + BigInt(r.timeNs));
        // The ASC writes every frame as a classic line, losing FD-ness up to 8 bytes and BRS:
        // compare IDs, data and times, and that exactly the longer frames come back as FD.
        const strip = (l: string) => l.replace(/##[0-9A-F]/, "#");
        expect(strip(line), `frame ${k + 1}`).toBe(strip(expected));
        expect(r.frame.fd).toBe(r.frame.data.length > 8);
      });
    });

  it("reads a 64-byte classic-syntax line as a CAN FD frame (python-can keeps 8 bytes)",
    async () => {
      const { records, reader } = await read("python-can__single_frame.asc");
      expect(records).toHaveLength(1);
      expect(records[0]?.frame).toMatchObject({ id: 0x123, extended: true, fd: true, dlc: 15 });
      expect([...(records[0]?.frame.data ?? [])]).toEqual(Array.from({ length: 64 }, (_, k) => k));
      expect(reader.describe().details?.fdPayloadInClassicLines).toBe(1);
    });

  // python-can reports DLC 32 for the DLC-13 frame; its bytes are right. The canonical lines
  // have no raw-DLC suffix, so compare without it.
  it("reads python-can's issue_1299.asc as the reference lines plus the raw DLC", async () => {
    const { records } = await read("python-can__issue_1299.asc");
    const expected = readFileSync(truthPath("canlog", "python-can__issue_1299.asc.candump"), "utf8")
      .split("\n").filter((l) => l !== "");
    const lines = referenceLines(records);
    expect(lines[2]).toMatch(/#55AA010203040506_D$/);
    expect(lines.map((l) => l.replace(/_[9A-F]$/, ""))).toEqual(expected);
  });

  it("keeps the gzip-compressed ASC equal to the plain one", async () => {
    const plain = await read("python-can__test_CanMessage.asc");
    const gz = await read("python-can__test_CanMessage.asc.gz");
    expect(gz.records).toEqual(plain.records);
    expect(gz.reader.describe().compression).toEqual(["gzip"]);
  });

  it("skips and counts the non-frame events of logfile.asc", async () => {
    const { reader } = await read("python-can__logfile.asc");
    expect(reader.describe().details?.skippedEvents).toEqual({
      "Start of measurement": 1,
      Status: 3,
      Statistic: 6,
      J1939TP: 2,
    });
    expect(reader.describe().version).toBe("9.0.0");
  });
});
