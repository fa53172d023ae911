import { describe, expect, it } from "vitest";
import { AscReader } from "../../../../replay/formats/asc/AscReader.js";
import { FileSource } from "../../../../replay/sources/FileSource.js";
import { casePath, hasShared } from "../../../support/sharedData.js";
import { readFrames } from "../candump/readAll.js";

async function read(path: string) {
  const reader = await AscReader.open(await FileSource.open(path));
  const records = await readFrames(reader);
  await reader.close();
  return { reader, records };
}

describe.skipIf(!hasShared)("ASC cases from bug reports", () => {
  it("python-can#1786: skips `CANFD Start of measurement` and reads the 2 FD frames", async () => {
    const { reader, records } = await read(
      casePath("python-can-1786", "canfd_start_of_measurement.asc"),
    );
    expect(records).toHaveLength(2);
    expect(records.map((r) => r.timeNs - (records[0]?.timeNs ?? 0))).toEqual([0, 10_000_000]);
    for (const r of records) {
      expect(r.frame).toMatchObject({
        channel: "can1",
        dir: "rx",
        id: 0x4b0,
        extended: false,
        fd: true,
        brs: true,
        esi: false,
        dlc: 8,
      });
    }
    const first = [...(records[0]?.frame.data ?? [])];
    expect(first).toEqual([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
    expect(records[1]?.frame.data[7]).toBe(0x89);
    expect(reader.describe().details?.skippedEvents).toEqual({ "Start of measurement": 1 });
  });

  it("python-can#1299: a classic DLC 13 carries 8 bytes and keeps its DLC", async () => {
    const { records } = await read(casePath("python-can-1299", "issue_1299.asc"));
    expect(records.map((r) => r.timeNs)).toEqual([
      13_258_199_000, 13_258_433_000, 13_258_671_000, 13_258_907_000,
    ]);
    expect(records.map((r) => r.frame.id)).toEqual([0x180, 0x221, 0x3ff, 0xf4]);
    expect(records.every((r) => r.frame.dir === "tx" && r.channel === "can1")).toBe(true);
    const f = records[2]?.frame;
    expect(f).toMatchObject({ fd: false, dlc: 13 });
    expect([...(f?.data ?? [])]).toEqual([0x55, 0xaa, 1, 2, 3, 4, 5, 6]);
  });
});
