import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lengthToDlc } from "../../../../drivers/can/CanFrame.js";
import { CandumpReader } from "../../../../replay/formats/candump/CandumpReader.js";
import { FileSource } from "../../../../replay/sources/FileSource.js";
import { casePath, hasShared } from "../../../support/sharedData.js";
import { readFrames } from "./readAll.js";

/** One line of can-utils' own dump of edge.log (`key=value` fields after the time). */
interface Expected {
  time: string;
  mtu: number;
  id: number;
  eff: boolean;
  rtr: boolean;
  err: boolean;
  len: number;
  len8Dlc: number;
  fdFlags: number;
  data: string;
}

function parseExpected(line: string): Expected {
  const [time = "", ...fields] = line.trim().split(/\s+/);
  const kv = new Map(fields.map((f) => f.split("=", 2) as [string, string]));
  const num = (k: string): number => Number(kv.get(k) ?? "0");
  return {
    time,
    mtu: num("mtu"),
    id: Number.parseInt(kv.get("id") ?? "", 16),
    eff: num("eff") === 1,
    rtr: num("rtr") === 1,
    err: num("err") === 1,
    len: num("len"),
    len8Dlc: num("len8_dlc"),
    fdFlags: Number.parseInt((kv.get("fdflags") ?? "0x0").replace(/\(.*$/, ""), 16),
    data: kv.get("data") ?? "",
  };
}

describe.skipIf(!hasShared)("case candump-edge (can-utils parse_canframe)", () => {
  const dir = casePath("candump-edge");

  it("reads every line of edge.log as the frame can-utils parses", async () => {
    const expected = readFileSync(`${dir}/expected_can-utils_parse_canframe.txt`, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map(parseExpected);
    const reader = await CandumpReader.open(await FileSource.open(`${dir}/edge.log`));
    const records = await readFrames(reader);
    await reader.close();

    expect(records).toHaveLength(expected.length);
    expect(reader.startNs).toBe(1_700_000_000_000_000_000n);
    records.forEach((record, k) => {
      const want = expected[k]!;
      const { frame } = record;
      const [sec = "", frac = ""] = want.time.split(".");
      const absNs = BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, "0"));
      expect(reader.startNs + BigInt(record.timeNs), `line ${k + 1} time`).toBe(absNs);
      expect(frame.id, `line ${k + 1} id`).toBe(want.id);
      expect(frame.extended, `line ${k + 1} eff`).toBe(want.eff);
      expect(frame.remote, `line ${k + 1} rtr`).toBe(want.rtr);
      expect(frame.error, `line ${k + 1} err`).toBe(want.err);
      expect(frame.fd, `line ${k + 1} fd`).toBe(want.mtu === 72);
      expect(frame.channel).toBe("can0");
      if (frame.fd) {
        expect(frame.brs, `line ${k + 1} brs`).toBe((want.fdFlags & 1) !== 0);
        expect(frame.esi, `line ${k + 1} esi`).toBe((want.fdFlags & 2) !== 0);
      }
      if (frame.remote) {
        // can-utils shows a remote frame's length as zeroed data; a CanFrame keeps it as the DLC.
        expect(frame.data).toHaveLength(0);
        expect(frame.dlc, `line ${k + 1} dlc`).toBe(want.len);
      } else {
        expect(Buffer.from(frame.data).toString("hex").toUpperCase()).toBe(want.data);
        const dlc = frame.fd ? lengthToDlc(want.len) : want.len8Dlc || want.len;
        expect(frame.dlc, `line ${k + 1} dlc`).toBe(dlc);
      }
    });
  });

  it("keeps the nanoseconds of a 9-decimal timestamp", async () => {
    const reader = await CandumpReader.open(await FileSource.open(`${dir}/edge.log`));
    const records = await readFrames(reader);
    await reader.close();
    expect(records.at(-1)?.timeNs).toBe(10_000_123);
  });
});
