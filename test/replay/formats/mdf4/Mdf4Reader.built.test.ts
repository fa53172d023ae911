import { describe, expect, it } from "vitest";
import { FormatError, UnsupportedError } from "../../../../replay/formats/FormatError.js";
import type { LogRecord } from "../../../../replay/formats/LogRecord.js";
import { openMdf4, type Mdf4Reader } from "../../../../replay/formats/mdf4/Mdf4Reader.js";
import type { SignalSample } from "../../../../replay/formats/mdf4/SignalDecoder.js";
import {
  cgData, cnData, cnLinks, dgData, fields, hdData, Mdf4Builder, memorySource, text,
} from "./mdf4Builder.js";
import { canFile, signalFile, START_NS, type CanRecord } from "./mdf4Fixtures.js";

async function open(bytes: Uint8Array): Promise<Mdf4Reader> {
  return openMdf4(memorySource(bytes));
}

async function samples(r: Mdf4Reader, group: number, channel: string): Promise<SignalSample[]> {
  const out: SignalSample[] = [];
  for await (const batch of r.readSignal(group, channel)) out.push(...batch);
  return out;
}

async function frames(r: Mdf4Reader): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const batch of r.batches()) out.push(...batch);
  return out;
}

async function failure(p: Promise<unknown>): Promise<FormatError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FormatError) return err;
    throw err;
  }
  throw new Error("expected a FormatError, got success");
}

async function readAll(bytes: Uint8Array): Promise<number> {
  const r = await open(bytes);
  return (await samples(r, 0, "value")).length;
}

describe("Mdf4Reader on built files", () => {
  it.each(["dt", "dz", "dz-transposed", "dl", "hl"] as const)(
    "reads a sorted group stored as %s", async (data) => {
      const r = await open(signalFile(300, { data }));
      const s = await samples(r, 0, "value");
      expect(s).toHaveLength(300);
      s.forEach((x, i) => {
        expect(x.value).toBe(i % 256);
        expect(x.timeNs).toBe(Math.round(i * 0.01 * 1e9));
      });
      expect(r.startNs).toBe(START_NS);
    });

  it("applies a linear conversion", async () => {
    const s = await samples(await open(signalFile(3, { valueFactor: 0.5 })), 0, "value");
    expect(s.map((x) => x.value)).toEqual([0, 0.5, 1]);
  });

  it("describes groups and channels", async () => {
    const d = (await open(signalFile(3, { valueFactor: 2, data: "dz" }))).describe();
    expect(d.format).toBe("mdf4");
    expect(d.version).toBe("4.10");
    expect(d.compression).toEqual(["deflate"]);
    expect(d.groups[0]?.count).toBe(3);
    expect(d.groups[0]?.channels?.map((c) => [c.name, c.master, c.conversion])).toEqual([
      ["t", true, undefined], ["value", false, "linear 2*x+0"],
    ]);
  });

  it.each([1, 2, 4, 8])("splits unsorted records with %i-byte record IDs", async (idSize) => {
    const r = await open(unsortedFile(idSize));
    expect((await samples(r, 0, "a")).map((s) => s.value)).toEqual([10, 11, 12]);
    expect((await samples(r, 1, "b")).map((s) => s.value)).toEqual([0x2000, 0x2001]);
    expect((await samples(r, 3, "s")).map((s) => s.value)).toEqual(["hi", "there"]);
    expect(r.describe().groups.map((g) => g.kind)).toEqual(["signals", "signals", "vlsd", "signals"]);
  });

  it("reads VLSD values stored in an SD block", async () => {
    const r = await open(sdFile());
    expect((await samples(r, 0, "s")).map((s) => s.value)).toEqual(["one", "", "three"]);
  });

  it("yields CAN frames of several groups merged in time order, ties in group order", async () => {
    const g0: CanRecord[] = [
      { t: 0.001, id: 0x123, ide: false, data: [1, 2, 3], bus: 1 },
      { t: 0.003, id: 0x18fef100, ide: true, data: [1, 2, 3, 4, 5, 6, 7, 8], bus: 1, dir: 1 },
    ];
    const g1: CanRecord[] = [
      { t: 0.002, id: 0x7ff, ide: false, data: [], bus: 2 },
      { t: 0.003, id: 0x10, ide: false, data: [9], bus: 2 },
    ];
    const r = await open(canFile([g0, g1]));
    const out = await frames(r);
    const f = out.map((x) => (x.kind === "frame" ? x : undefined));
    expect(f.map((x) => [x?.timeNs, x?.channel, x?.frame.id])).toEqual([
      [1_000_000, "can1", 0x123], [2_000_000, "can2", 0x7ff], [3_000_000, "can1", 0x18fef100],
      [3_000_000, "can2", 0x10],
    ]);
    const ext = f[2]?.frame;
    expect(ext?.extended).toBe(true);
    expect(ext?.dir).toBe("tx");
    expect([...(ext?.data ?? [])]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...(f[0]?.frame.data ?? [])]).toEqual([1, 2, 3]);
    expect(f[0]?.frame.dlc).toBe(3);
    expect(r.describe().groups.map((g) => g.kind)).toEqual(["can-data", "can-data"]);
  });

  it("reads BusChannel from a constant virtual channel (per-bus layout)", async () => {
    const recs = [{ t: 0.001, id: 5, ide: false, data: [7], bus: 3 }];
    const out = await frames(await open(canFile([recs], { constantBus: 9 })));
    expect(out.map((r) => r.channel)).toEqual(["can9"]);
  });

  it("marks frames of CAN_RemoteFrame and CAN_ErrorFrame groups", async () => {
    const recs = [{ t: 0.001, id: 0x321, ide: false, data: [0, 0, 0], bus: 1 }];
    const remote = await frames(await open(canFile([recs], { frame: "CAN_RemoteFrame" })));
    const f = remote[0]?.kind === "frame" ? remote[0].frame : undefined;
    expect([f?.remote, f?.error, f?.id, f?.dlc, f?.data.length])
      .toEqual([true, false, 0x321, 3, 0]);
    const errors = await frames(await open(canFile([recs], { frame: "CAN_ErrorFrame" })));
    const e = errors[0]?.kind === "frame" ? errors[0].frame : undefined;
    expect([e?.remote, e?.error, e?.data.length]).toEqual([false, true, 3]);
    const kinds = (await open(canFile([recs], { frame: "CAN_ErrorFrame" }))).describe().groups;
    expect(kinds.map((g) => g.kind)).toEqual(["can-error"]);
  });

  it("honours fromNs", async () => {
    const recs = [0.001, 0.002, 0.003].map((t) => ({ t, id: 1, ide: false, data: [], bus: 1 }));
    const r = await open(canFile([recs]));
    const out: LogRecord[] = [];
    for await (const b of r.batches({ fromNs: 2_000_000 })) out.push(...b);
    expect(out.map((x) => x.timeNs)).toEqual([2_000_000, 3_000_000]);
  });
});

describe("Mdf4Reader on bad input", () => {
  it("rejects a wrong magic", async () => {
    const bytes = signalFile(2);
    bytes.set([0x58], 0);
    const err = await failure(open(bytes));
    expect(err.where).toBe("##ID");
    expect(err.message).toMatch(/expected id_file/);
  });

  it("rejects a truncated file, naming the block cut short", async () => {
    const bytes = signalFile(50);
    const err = await failure(readAll(bytes.subarray(0, bytes.length - 100)));
    expect(err.where).toBe("##DT");
    expect(err.message).toMatch(/truncated/);
  });

  it("rejects a finalized sorted group whose data ends before cg_cycle_count records", async () => {
    const recs = [0.001, 0.002, 0.003].map((t) => ({ t, id: 1, ide: false, data: [], bus: 1 }));
    const bytes = canFile([recs]);
    const dt = Buffer.from(bytes).indexOf("##DT");
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    // The last record loses 5 of its 24 bytes: the file still looks whole, block by block.
    view.setBigUint64(dt + 8, view.getBigUint64(dt + 8, true) - 5n, true);
    const err = await failure(frames(await open(bytes)));
    expect(err.where).toBe("##CG");
    expect(err.message).toMatch(/expected cg_cycle_count 3 records of 24 bytes, found 2 in 48/);
  });

  it("rejects a file shorter than the ID block", async () => {
    expect((await failure(open(new Uint8Array(10)))).where).toBe("##ID");
  });

  it("rejects a link outside the file", async () => {
    const bytes = signalFile(2);
    new DataView(bytes.buffer).setBigUint64(64 + 24, 1n << 40n, true);
    const err = await failure(open(bytes));
    expect(err.where).toBe("##HD");
    expect(err.message).toMatch(/outside the file/);
  });

  it("rejects a cycle in the DG chain", async () => {
    const bytes = signalFile(2);
    const view = new DataView(bytes.buffer);
    const dg = Number(view.getBigUint64(64 + 24, true));
    view.setBigUint64(dg + 24, BigInt(dg), true);
    const err = await failure(open(bytes));
    expect(err.where).toBe("##DG");
    expect(err.offset).toBe(dg);
    expect(err.message).toMatch(/cycles/);
  });

  it("rejects a DZ whose inflated size differs from dz_org_data_length", async () => {
    const err = await failure(readAll(signalFile(20, { data: "dz", orgLengthDelta: 1 })));
    expect(err.where).toBe("##DZ");
    expect(err.message).toMatch(/expected 181 bytes .* found 180/);
  });

  it("refuses an unknown zip type as unsupported", async () => {
    const err = await failure(open(signalFile(20, { data: "dz", zipType: 2 })));
    expect(err).toBeInstanceOf(UnsupportedError);
    expect(err.message).toMatch(/dz_zip_type 2/);
  });

  it("rejects time going backwards in a sorted group", async () => {
    const err = await failure(readAll(signalFile(3, { times: [0, 0.2, 0.1] })));
    expect(err.where).toBe("##CG");
    expect(err.message).toMatch(/record 2 .*expected time >= 200000000 ns/);
  });

  it("rejects backwards CAN frames", async () => {
    const recs = [0.002, 0.001].map((t) => ({ t, id: 1, ide: false, data: [], bus: 1 }));
    const err = await failure(frames(await open(canFile([recs]))));
    expect(err.message).toMatch(/record 1 of CAN_DataFrame/);
  });

  it("rejects a channel reaching past its record", async () => {
    const b = new Mdf4Builder();
    b.add("##HD", [{ ref: 1 }, 0, 0, 0, 0, 0], hdData(START_NS));
    b.add("##DG", [0, { ref: 2 }, 0, 0], dgData(0));
    b.add("##CG", [0, { ref: 3 }, 0, 0, 0, 0], cgData(0, 0, 0, 2));
    b.add("##CN", cnLinks(0, { ref: 4 }), cnData({ byteOffset: 1, bitCount: 16 }));
    b.add("##TX", [], text("x"));
    const err = await failure(samples(await open(b.build()), 0, "x"));
    expect(err.where).toBe("##CN");
  });
});

/** Unsorted group: CG a (u8), CG b (u16 BE), VLSD CG for `s`, records interleaved. */
function unsortedFile(idSize: number): Uint8Array {
  const b = new Mdf4Builder();
  b.add("##HD", [{ ref: 1 }, 0, 0, 0, 0, 0], hdData(START_NS));
  b.add("##DG", [0, { ref: 2 }, { ref: 11 }, 0], dgData(idSize));
  b.add("##CG", [{ ref: 5 }, { ref: 3 }, 0, 0, 0, 0], cgData(1, 3, 0, 1));
  b.add("##CN", cnLinks(0, { ref: 4 }), cnData({ byteOffset: 0, bitCount: 8 }));
  b.add("##TX", [], text("a"));
  b.add("##CG", [{ ref: 8 }, { ref: 6 }, 0, 0, 0, 0], cgData(2, 2, 0, 2));
  b.add("##CN", cnLinks(0, { ref: 7 }), cnData({ dataType: 1, byteOffset: 0, bitCount: 16 }));
  b.add("##TX", [], text("b"));
  b.add("##CG", [{ ref: 12 }, 0, 0, 0, 0, 0], cgData(3, 2, 1, 0));
  b.add("##CN", cnLinks(0, { ref: 10 }, { data: { ref: 8 } }),
    cnData({ type: 1, dataType: 7, byteOffset: 0, bitCount: 64 }));
  b.add("##TX", [], text("s"));
  const rec = (id: number, ...body: number[]): number[] => {
    const out = new Uint8Array(idSize + body.length);
    const v = new DataView(out.buffer);
    if (idSize === 1) v.setUint8(0, id);
    if (idSize === 2) v.setUint16(0, id, true);
    if (idSize === 4) v.setUint32(0, id, true);
    if (idSize === 8) v.setBigUint64(0, BigInt(id), true);
    out.set(body, idSize);
    return [...out];
  };
  const data = [
    ...rec(1, 10), ...rec(2, 0x20, 0x00), ...rec(3, 2, 0, 0, 0, 0x68, 0x69),
    ...rec(4, 0, 0, 0, 0, 0, 0, 0, 0), ...rec(1, 11),
    ...rec(3, 5, 0, 0, 0, ...Buffer.from("there")), ...rec(4, 6, 0, 0, 0, 0, 0, 0, 0),
    ...rec(2, 0x20, 0x01), ...rec(1, 12),
  ];
  b.add("##DT", [], data);
  b.add("##CG", [0, { ref: 9 }, 0, 0, 0, 0], cgData(4, 2, 0, 8));
  return b.build();
}

/** Sorted group whose VLSD channel `s` has its values in an SD block. */
function sdFile(): Uint8Array {
  const b = new Mdf4Builder();
  b.add("##HD", [{ ref: 1 }, 0, 0, 0, 0, 0], hdData(START_NS));
  b.add("##DG", [0, { ref: 2 }, { ref: 5 }, 0], dgData(0));
  b.add("##CG", [0, { ref: 3 }, 0, 0, 0, 0], cgData(0, 3, 0, 8));
  b.add("##CN", cnLinks(0, { ref: 4 }, { data: { ref: 6 } }),
    cnData({ type: 1, dataType: 6, byteOffset: 0, bitCount: 64 }));
  b.add("##TX", [], text("s"));
  b.add("##DT", [], fields(["u64", 0], ["u64", 7], ["u64", 11]));
  b.add("##SD", [], [...fields(["u32", 3]), ...Buffer.from("one"), ...fields(["u32", 0]),
    ...fields(["u32", 5]), ...Buffer.from("three")]);
  return b.build();
}
