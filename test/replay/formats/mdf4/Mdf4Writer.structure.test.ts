import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeFrame, type CanFrame } from "../../../../drivers/can/CanFrame.js";
import { Mdf4Writer, type Mdf4WriterOptions } from "../../../../replay/formats/mdf4/Mdf4Writer.js";
import { dataPath, hasShared, repoRoot, truthPath } from "../../../support/sharedData.js";
import { block, text, walkMdf4, type WalkedGroup } from "./mdf4BlockWalk.js";

const outDir = join(repoRoot, ".test-out", "mdf4-writer");
mkdirSync(outDir, { recursive: true });
const START_NS = 1_733_000_000_123_456_789n;

function writeFile(
  name: string,
  frames: readonly (readonly [CanFrame, number])[],
  options: Mdf4WriterOptions = {},
): string {
  const path = join(outDir, name);
  const writer = Mdf4Writer.create(path, { startNs: START_NS, ...options });
  for (const [frame, timeNs] of frames) writer.write(frame, timeNs);
  writer.close();
  return path;
}

function group(groups: WalkedGroup[], name: string): WalkedGroup {
  const found = groups.find((g) => g.acqName === name);
  if (!found) throw new Error(`no group ${name}`);
  return found;
}

const sample: [CanFrame, number][] = [
  [makeFrame(0x123, Uint8Array.of(1, 2, 3), { channel: "can0" }), 0],
  [makeFrame(0x18fef100, Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2), { channel: "can1" }), 1_000],
  [makeFrame(0x7ff, new Uint8Array(0), { remote: true, dlc: 4, channel: "can0" }), 2_000],
  [makeFrame(0x456, new Uint8Array(12).fill(0xaa), { brs: true, esi: true, dir: "tx" }), 3_000],
  [makeFrame(0x08, Uint8Array.of(0, 0, 0x04, 0, 0, 0, 0, 0), { error: true, dlc: 8 }), 4_000],
];

describe("Mdf4Writer file structure", () => {
  it("writes a finalized 4.11 identification block and the start time in HD", () => {
    const path = writeFile("id.mf4", sample);
    const bytes = readFileSync(path);
    expect(bytes.toString("latin1", 0, 24)).toBe("MDF     4.11    roadrig ");
    expect(bytes.readUInt16LE(28)).toBe(411);
    expect(bytes.readUInt16LE(60)).toBe(0);
    expect(walkMdf4(path).startNs).toBe(START_NS);
  });

  it("writes version 4.20 when asked", () => {
    const bytes = readFileSync(writeFile("v420.mf4", sample, { version: "4.20" }));
    expect(bytes.toString("latin1", 0, 16)).toBe("MDF     4.20    ");
    expect(bytes.readUInt16LE(28)).toBe(420);
  });

  it("marks the file unfinalized until close", () => {
    const path = join(outDir, "open.mf4");
    const writer = Mdf4Writer.create(path, { startNs: START_NS });
    writer.write(makeFrame(1, Uint8Array.of(1)), 0);
    const bytes = readFileSync(path);
    expect(bytes.toString("latin1", 0, 8)).toBe("UnFinMF ");
    expect(bytes.readUInt16LE(60)).not.toBe(0);
    writer.close();
    expect(readFileSync(path).toString("latin1", 0, 8)).toBe("MDF     ");
  });

  it("sorts frames into one DG per frame type with bus-event CGs and a CAN bus source", () => {
    const { groups } = walkMdf4(writeFile("groups.mf4", sample));
    expect(groups.map((g) => g.acqName)).toEqual([
      "CAN_DataFrame",
      "CAN_RemoteFrame",
      "CAN_ErrorFrame",
    ]);
    expect(groups.map((g) => g.cycleCount)).toEqual([3, 1, 1]);
    for (const g of groups) {
      expect(g.recordIdSize).toBe(0);
      expect(g.flags & 0x06).toBe(0x06);
      expect(g.pathSeparator).toBe(".".charCodeAt(0));
      expect(g.source).toEqual({ name: "CAN", type: 2, busType: 2 });
      expect(g.records.length).toBe(g.cycleCount * g.recordBytes);
    }
  });

  it("describes a float64 Timestamp master in seconds and a structure channel of members", () => {
    const { groups } = walkMdf4(writeFile("channels.mf4", sample));
    const data = group(groups, "CAN_DataFrame");
    const [timestamp, structure] = data.channels;
    expect(timestamp).toMatchObject({ name: "Timestamp", type: 2, sync: 1, dataType: 4, bits: 64 });
    expect(timestamp?.unit).toBe("s");
    expect(structure).toMatchObject({ name: "CAN_DataFrame", dataType: 10, byteOffset: 8 });
    expect(structure?.members.map((m) => m.name)).toEqual(
      ["BusChannel", "ID", "IDE", "DLC", "DataLength", "DataBytes", "Dir", "EDL", "BRS", "ESI"].map(
        (m) => `CAN_DataFrame.${m}`,
      ),
    );
    for (const member of structure?.members ?? []) {
      expect(member.flags & 0x400).toBe(0x400);
      const end = member.byteOffset * 8 + member.bitOffset + member.bits;
      expect(end).toBeLessThanOrEqual(data.recordBytes * 8);
    }
    const errorMembers = group(groups, "CAN_ErrorFrame").channels[1]?.members ?? [];
    expect(errorMembers.map((m) => m.name)).toContain("CAN_ErrorFrame.ErrorType");
  });

  it("stores every field of a frame where its CN says", () => {
    const { groups } = walkMdf4(writeFile("fields.mf4", sample));
    const data = group(groups, "CAN_DataFrame");
    const fd = field(data, 2);
    expect(fd).toMatchObject({ ID: 0x456, IDE: 0, DLC: 9, DataLength: 12, Dir: 1, EDL: 1 });
    expect(fd).toMatchObject({ BRS: 1, ESI: 1, BusChannel: 0 });
    expect(fd.Timestamp).toBe(3e-6);
    const padded = [...new Array<number>(12).fill(0xaa), ...new Array<number>(52).fill(0)];
    expect([...fd.DataBytes]).toEqual(padded);
    const extended = field(data, 1);
    expect(extended).toMatchObject({ ID: 0x18fef100, IDE: 1, BusChannel: 1, DLC: 8, EDL: 0 });

    const remote = field(group(groups, "CAN_RemoteFrame"), 0);
    expect(remote).toMatchObject({ ID: 0x7ff, IDE: 0, DLC: 4, DataLength: 0 });
    const error = field(group(groups, "CAN_ErrorFrame"), 0);
    expect(error).toMatchObject({ ID: 0x08, ErrorType: 3, DataLength: 8 });
  });

  it("splits records into DT blocks listed by a DL with their record-data offsets", () => {
    const frames = Array.from(
      { length: 50 },
      (_, i) => [makeFrame(i, Uint8Array.of(i)), i] as const,
    );
    const path = writeFile("split.mf4", frames, { blockBytes: 800 });
    const { file, groups } = walkMdf4(path);
    const data = group(groups, "CAN_DataFrame");
    expect(data.chain).toEqual(["##DL", ...new Array<string>(5).fill("##DT")]);
    const dgLink = block(file, 64).links[0] ?? 0;
    const dl = block(file, block(file, dgLink).links[2] ?? 0);
    const offsets = [0, 1, 2, 3, 4].map((i) => Number(dl.data.readBigUInt64LE(8 + i * 8)));
    expect(offsets).toEqual([0, 800, 1600, 2400, 3200]);
    expect(data.records.readUInt32LE(49 * 80 + 9)).toBe(49);
  });

  it("writes records of 24 bytes with an 8-byte DataBytes when told no FD frame comes", () => {
    const classic = sample.filter(([frame]) => !frame.fd);
    const { groups } = walkMdf4(writeFile("classic.mf4", classic, { dataBytes: 8 }));
    const data = group(groups, "CAN_DataFrame");
    expect(data.recordBytes).toBe(24);
    expect(data.channels[1]?.bits).toBe(16 * 8);
    const dataBytes = data.channels[1]?.members.find((m) => m.name.endsWith(".DataBytes"));
    expect(dataBytes).toMatchObject({ byteOffset: 16, bits: 64, dataType: 10 });
    expect([...field(data, 1).DataBytes]).toEqual([9, 8, 7, 6, 5, 4, 3, 2]);
    expect([...field(data, 0).DataBytes]).toEqual([1, 2, 3, 0, 0, 0, 0, 0]);
    expect(group(groups, "CAN_ErrorFrame").recordBytes).toBe(24);

    const writer = Mdf4Writer.create(join(outDir, "classic-refuse.mf4"), { dataBytes: 8 });
    expect(() => writer.write(makeFrame(1, new Uint8Array(12)), 0)).toThrow(/exceed 8/);
    writer.close();
  });

  it("continues a long block list in a chain of DLs", () => {
    const frames = Array.from(
      { length: 2100 },
      (_, i) => [makeFrame(i & 0x7ff, Uint8Array.of(i & 0xff)), i] as const,
    );
    const { file, groups } = walkMdf4(writeFile("dl-chain.mf4", frames, { blockBytes: 80 }));
    const data = group(groups, "CAN_DataFrame");
    expect(data.chain.filter((id) => id === "##DL")).toHaveLength(3);
    expect(data.chain.filter((id) => id === "##DT")).toHaveLength(2100);
    expect(data.records.length).toBe(2100 * 80);
    const dgLink = block(file, 64).links[0] ?? 0;
    const secondDl = block(file, block(file, block(file, dgLink).links[2] ?? 0).links[0] ?? 0);
    expect(Number(secondDl.data.readBigUInt64LE(8))).toBe(1024 * 80);
    expect(data.records.readUInt32LE(2099 * 80 + 9)).toBe(2099 & 0x7ff);
  });

  it.each([
    ["deflate", 0],
    ["transposed-deflate", 1],
  ] as const)("writes %s data as DZ blocks under an HL", (compression, zipType) => {
    const frames = Array.from(
      { length: 300 },
      (_, i) => [makeFrame(0x100 + (i % 7), Uint8Array.of(i & 0xff, 1)), i * 1e5] as const,
    );
    const path = writeFile(`dz-${compression}.mf4`, frames, { compression, blockBytes: 4096 });
    const { file, groups } = walkMdf4(path);
    const data = group(groups, "CAN_DataFrame");
    expect(data.chain.slice(0, 2)).toEqual(["##HL", "##DL"]);
    expect(data.chain.slice(2).every((id) => id === "##DZ")).toBe(true);
    const dgLink = block(file, 64).links[0] ?? 0;
    const hl = block(file, block(file, dgLink).links[2] ?? 0);
    expect(hl.data[2]).toBe(zipType);
    expect(field(data, 299)).toMatchObject({ ID: 0x100 + (299 % 7), DataLength: 2 });
    expect(field(data, 299).Timestamp).toBe(299 * 1e5 / 1e9);
  });

  it("keeps channel names other than canN in a value-to-text conversion on BusChannel", () => {
    const frames = [
      [makeFrame(1, Uint8Array.of(1), { channel: "vcan0" }), 0],
      [makeFrame(2, Uint8Array.of(2), { channel: "can3" }), 1],
    ] as const;
    const { file, groups } = walkMdf4(writeFile("names.mf4", frames));
    const busChannel = group(groups, "CAN_DataFrame").channels[1]?.members[0];
    const cc = block(file, busChannel?.conversion ?? 0);
    expect(cc.id).toBe("##CC");
    expect(cc.data[0]).toBe(7);
    const values = [0, 1].map((i) => cc.data.readDoubleLE(24 + i * 8));
    const names = [4, 5].map((i) => text(file, cc.links[i] ?? 0));
    const table = Object.fromEntries(values.map((v, i) => [v, names[i]]));
    expect(table).toEqual({ 3: "can3", 255: "vcan0" });
    expect(field(group(groups, "CAN_DataFrame"), 0).BusChannel).toBe(255);
  });

  it("leaves BusChannel unconverted when every channel is canN", () => {
    const { groups } = walkMdf4(writeFile("plain-names.mf4", sample));
    expect(group(groups, "CAN_DataFrame").channels[1]?.members[0]?.conversion).toBe(0);
  });

  it("refuses times that go backwards, oversized payloads and writes after close", () => {
    const writer = Mdf4Writer.create(join(outDir, "refuse.mf4"), { startNs: START_NS });
    writer.write(makeFrame(1, Uint8Array.of(1)), 10);
    expect(() => writer.write(makeFrame(1, Uint8Array.of(1)), 9)).toThrow(/before/);
    const oversized = { ...makeFrame(1, new Uint8Array(64)), data: new Uint8Array(65) };
    expect(() => writer.write(oversized, 10)).toThrow(/exceed 64/);
    writer.close();
    expect(() => writer.write(makeFrame(1, Uint8Array.of(1)), 11)).toThrow(/after close/);
  });
});

describe.skipIf(!hasShared)("Mdf4Writer against a finalized CANedge file", () => {
  const canedge = "api-examples__3BA199E2_00000164_00000005-60FEB5A8.MF4";

  it("names the CAN_DataFrame channels as CANedge and asammdf do", () => {
    const truth = JSON.parse(readFileSync(truthPath("mf4", `${canedge}.json`), "utf8")) as {
      groups: { acq_name: string; channels: string[]; flags: number; bus_type: number }[];
    };
    const theirs = truth.groups.find((g) => g.acq_name === "CAN_DataFrame");
    const { groups } = walkMdf4(writeFile("truth.mf4", sample));
    const ours = group(groups, "CAN_DataFrame");
    const members = ours.channels[1]?.members.map((m) => m.name) ?? [];
    const names = [ours.channels[0]?.name, ours.channels[1]?.name, ...members];
    expect(new Set(names)).toEqual(new Set(theirs?.channels));
    expect(ours.flags).toBe(theirs?.flags);
    expect(ours.source?.busType).toBe(theirs?.bus_type);
  });

  it("flags channels and the master the way the CANedge file does", () => {
    const theirs = group(walkMdf4(dataPath("mf4", canedge)).groups, "CAN_DataFrame");
    const ours = group(walkMdf4(writeFile("flags.mf4", sample)).groups, "CAN_DataFrame");
    const pick = (g: WalkedGroup) => ({
      master: [g.channels[0]?.type, g.channels[0]?.sync, g.channels[0]?.dataType],
      structure: { dataType: g.channels[1]?.dataType, flags: g.channels[1]?.flags },
      busEvent: g.channels[1]?.members.every((m) => (m.flags & 0x400) !== 0),
    });
    expect(pick(ours)).toEqual(pick(theirs));
  });
});

interface Fields {
  DataBytes: Uint8Array;
  [name: string]: number | Uint8Array;
}

/** Decodes record `index` of a group with nothing but the CN blocks' own description. */
function field(g: WalkedGroup, index: number): Fields {
  const record = g.records.subarray(index * g.recordBytes, (index + 1) * g.recordBytes);
  const out: Fields = { Timestamp: record.readDoubleLE(0), DataBytes: new Uint8Array(0) };
  for (const member of g.channels[1]?.members ?? []) {
    const name = member.name.slice(member.name.indexOf(".") + 1);
    if (member.dataType === 10) {
      out.DataBytes = record.subarray(member.byteOffset, member.byteOffset + member.bits / 8);
      continue;
    }
    const width = Math.ceil((member.bitOffset + member.bits) / 8);
    const word = record.readUIntLE(member.byteOffset, width);
    out[name] = Math.floor(word / 2 ** member.bitOffset) % 2 ** member.bits;
  }
  return out;
}
