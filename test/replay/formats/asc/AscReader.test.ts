import { describe, expect, it } from "vitest";
import { FormatError } from "../../../../replay/formats/FormatError.js";
import { AscReader } from "../../../../replay/formats/asc/AscReader.js";
import { MemorySource } from "../candump/MemorySource.js";
import { readFrames } from "../candump/readAll.js";

const HEAD = [
  "date Thu Apr 28 10:44:52.480 am 2022",
  "base hex  timestamps absolute",
  "internal events logged",
  "Begin Triggerblock Thu Apr 28 10:44:52.480 am 2022",
  "   0.000000 Start of measurement",
];

function asc(...events: string[]): string {
  return [...HEAD, ...events, "End TriggerBlock", ""].join("\r\n");
}

async function framesOf(text: string, options = {}) {
  return readFrames(await AscReader.open(MemorySource.text(text, "t.asc"), options));
}

async function errorOf(text: string): Promise<FormatError> {
  const err: unknown = await framesOf(text).catch((e: unknown) => e);
  if (err instanceof FormatError) return err;
  throw new Error(`expected a FormatError, got ${String(err)}`);
}

describe("AscReader", () => {
  it("starts at the date line (UTC) and keeps event times as written", async () => {
    const reader = await AscReader.open(MemorySource.text(asc("   1.5 1 123 Rx d 1 AA")));
    expect(reader.startNs).toBe(BigInt(Date.parse("2022-04-28T10:44:52.480Z")) * 1_000_000n);
    const records = await readFrames(reader);
    expect(records.map((r) => r.timeNs)).toEqual([1_500_000_000]);
  });

  it("reads classic, extended, remote and error lines", async () => {
    const records = await framesOf(asc(
      "1.0 1 7FF Tx d 2 01 02  Length = 1 BitCount = 2 ID = 2047",
      "1.1 2 1ABCDEF0x Rx d 0",
      "1.2 1 100 Rx r",
      "1.3 1 100 Rx r 4 Length = 1",
      "1.4 3 ErrorFrame ECC: 10100010",
    ));
    expect(records.map((r) => r.frame)).toMatchObject([
      { id: 0x7ff, extended: false, dir: "tx", dlc: 2, channel: "can1" },
      { id: 0x1abcdef0, extended: true, dir: "rx", dlc: 0, channel: "can2" },
      { id: 0x100, remote: true, dlc: 0 },
      { id: 0x100, remote: true, dlc: 4 },
      { error: true, id: 0, channel: "can3" },
    ]);
  });

  it("reads CAN FD lines with and without a symbolic name", async () => {
    const records = await framesOf(asc(
      "2.0 CANFD 1 Rx 123 Name_1 1 0 9 12 00 01 02 03 04 05 06 07 08 09 0a 0b 0 0 1000 0 0",
      "2.1 CANFD 2 Tx 12x 0 1 2 2 AA BB 0 0 3000 0",
    ));
    expect(records.map((r) => r.frame)).toMatchObject([
      { id: 0x123, fd: true, brs: true, esi: false, dlc: 9 },
      { id: 0x12, extended: true, fd: true, brs: false, esi: true, dlc: 2, dir: "tx" },
    ]);
    expect(records[0]?.frame.data).toHaveLength(12);
  });

  it("reads a CANFD line without EDL as a classic frame, remote when flagged", async () => {
    const records = await framesOf(asc(
      "3.0 CANFD 1 Rx 123 0 0 8 8 01 02 03 04 05 06 07 08 0 0 40 0",
      "3.1 CANFD 1 Rx 124 0 0 3 0 0 0 10 0",
    ));
    expect(records.map((r) => r.frame)).toMatchObject([
      { id: 0x123, fd: false, remote: false, dlc: 8 },
      { id: 0x124, fd: false, remote: true, dlc: 3 },
    ]);
  });

  it("reads base dec IDs and bytes, and sums relative timestamps", async () => {
    const text = [
      "date Thu Apr 28 10:44:52 am 2022",
      "base dec  timestamps relative",
      "0.5 1 291 Rx d 2 255 16",
      "0.25 1 291x Rx d 1 7",
    ].join("\n");
    const records = await framesOf(text);
    expect(records.map((r) => r.timeNs)).toEqual([500_000_000, 750_000_000]);
    expect([...(records[0]?.frame.data ?? [])]).toEqual([255, 16]);
    expect(records[1]?.frame).toMatchObject({ id: 291, extended: true });
  });

  it("counts skipped event kinds in describe() and lets a caller name channels", async () => {
    const reader = await AscReader.open(MemorySource.text(asc(
      "0.1 CAN 1 Status:chip status error active",
      "0.2 1 Statistic: D 0 R 0 XD 0 XR 0 E 0 O 0 B 0.00%",
      "0.3 1 SV: 1 0 1 ::Var = 1",
      "0.4 1 123 Rx d 0",
    )), { channelName: (n: number) => `bus${n}` });
    const records = await readFrames(reader);
    expect(records.map((r) => r.channel)).toEqual(["bus1"]);
    expect(reader.describe()).toMatchObject({
      format: "asc",
      groups: [{ name: "bus1" }],
      details: {
        skippedEvents: { "Start of measurement": 1, Status: 1, Statistic: 1, SV: 1 },
        base: "hex",
        timestamps: "absolute",
        internalEventsLogged: true,
        channelsComplete: true,
      },
    });
  });

  it("gives the same frames whatever the chunk size", async () => {
    const text = asc("1.0 1 123 Rx d 2 01 02", "2.0 CANFD 1 Rx 12 1 0 1 1 FF 0 0 1000 0");
    const whole = await framesOf(text);
    for (const chunkBytes of [1, 3, 17, 64]) {
      expect(await framesOf(text, { chunkBytes })).toEqual(whole);
    }
  });

  it("skips records before fromNs", async () => {
    const reader = await AscReader.open(MemorySource.text(asc(
      "1.0 1 001 Rx d 0", "2.0 1 002 Rx d 0",
    )));
    expect((await readFrames(reader, 1_500_000_000)).map((r) => r.frame.id)).toEqual([2]);
  });

  const bad: [string, string, RegExp][] = [
    ["wrong byte count", "1.0 1 123 Rx d 3 01 02", /3 data bytes for DLC 3/],
    ["11-bit ID above 7FF", "1.0 1 800 Rx d 0", /11-bit CAN ID/],
    ["bad direction", "1.0 1 123 Rz d 0", /"Rx" or "Tx"/],
    ["neither d nor r", "1.0 1 123 Rx q 0", /"d" \(data frame\) or "r"/],
    ["FD length off its DLC", "1.0 CANFD 1 Rx 123 0 0 9 8 00 00 00 00 00 00 00 00", /length 12/],
    ["FD bytes missing", "1.0 CANFD 1 Rx 123 0 0 2 2 00", /2 data bytes/],
    ["bad BRS column", "1.0 CANFD 1 Rx 123 Msg 2 0 1 1 00", /0 or 1/],
    ["bad time", "1.0.0 1 123 Rx d 0", /a time in seconds/],
  ];

  it.each(bad)("rejects %s with line number, byte offset and expected/found", async (_, line, re) => {
    const text = asc(line);
    const err = await errorOf(text);
    expect(err.file).toBe("t.asc");
    expect(err.where).toBe(`line ${HEAD.length + 1}`);
    expect(err.offset).toBe(text.indexOf(line));
    expect(err.message).toMatch(re);
    expect(err.message).toMatch(/expected .*, found /);
  });

  it("rejects a line that is neither a header line nor an event", async () => {
    const err = await errorOf(asc("hello there"));
    expect(err.where).toBe(`line ${HEAD.length + 1}`);
    expect(err.message).toMatch(/expected an event \(time first\) or a header line/);
  });

  it("fails at open on a file that is not ASC, naming the line", async () => {
    const text = "base hex\n(1436509052.249713) vcan0 123#DEADBEEF\n";
    const err: unknown = await AscReader.open(MemorySource.text(text, "x.asc"))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ file: "x.asc", where: "line 2", offset: 9 });
  });

  it("starts at 0 when the date cannot be read, and says so", async () => {
    const reader = await AscReader.open(MemorySource.text("date sometime\n1.0 1 1 Rx d 0\n"));
    expect(reader.startNs).toBe(0n);
    expect(reader.describe().details).toMatchObject({ date: "sometime", startFromDate: false });
  });
});
