import {
  ccLinear, cgData, cnData, cnLinks, dgData, dzData, fields, hdData, Mdf4Builder, text,
  type Link,
} from "./mdf4Builder.js";

export const START_NS = 1_700_000_000_000_000_000n;

export interface SignalFileOptions {
  times?: number[];
  /** Data as one DT (default), one DZ (zip type 0/1), or a DL of two DT blocks. */
  data?: "dt" | "dz" | "dz-transposed" | "dl" | "hl";
  zipType?: number;
  orgLengthDelta?: number;
  valueFactor?: number;
}

/** One sorted group: float64 `t` (master, s) and uint8 `value` (i mod 256). */
export function signalFile(n: number, o: SignalFileOptions = {}): Uint8Array {
  const times = o.times ?? Array.from({ length: n }, (_, i) => i * 0.01);
  const records = new Uint8Array(9 * n);
  const view = new DataView(records.buffer);
  times.forEach((t, i) => {
    view.setFloat64(9 * i, t, true);
    records[9 * i + 8] = i % 256;
  });
  const b = new Mdf4Builder();
  b.add("##HD", [{ ref: 1 }, 0, 0, 0, 0, 0], hdData(START_NS));
  const dataRef: Link = { ref: 8 };
  b.add("##DG", [0, { ref: 2 }, dataRef, 0], dgData(0));
  b.add("##CG", [0, { ref: 3 }, 0, 0, 0, 0], cgData(0, n, 0, 9));
  b.add("##CN", cnLinks({ ref: 5 }, { ref: 4 }), cnData({ type: 2, sync: 1, dataType: 4,
    byteOffset: 0, bitCount: 64 }));
  b.add("##TX", [], text("t"));
  b.add("##CN", cnLinks(0, { ref: 6 }, o.valueFactor ? { cc: { ref: 7 } } : {}),
    cnData({ byteOffset: 8, bitCount: 8 }));
  b.add("##TX", [], text("value"));
  b.add("##CC", [0, 0, 0, 0], ccLinear(o.valueFactor ?? 1, 0));
  addData(b, records, o);
  return b.build();
}

function addData(b: Mdf4Builder, records: Uint8Array, o: SignalFileOptions): void {
  const kind = o.data ?? "dt";
  if (kind === "dt") b.add("##DT", [], records);
  else if (kind === "hl") {
    // HL -> DL -> two transposed DZ, the cut inside a record.
    const cut = Math.floor(records.length / 2) + 4;
    b.add("##HL", [{ ref: 9 }], fields(["u16", 1], ["u8", 1], ["u8", 0], ["u32", 0]));
    b.add("##DL", [0, { ref: 10 }, { ref: 11 }], fields(["u8", 0], ["u8", 0], ["u16", 0],
      ["u32", 2], ["u64", 0], ["u64", cut]));
    b.add("##DZ", [], dzData(records.subarray(0, cut), 1, 9));
    b.add("##DZ", [], dzData(records.subarray(cut), 1, 9));
  } else if (kind === "dl") {
    const cut = Math.floor(records.length / 2) + 4;
    b.add("##DL", [0, { ref: 9 }, { ref: 10 }], fields(["u8", 0], ["u8", 0], ["u16", 0],
      ["u32", 2], ["u64", 0], ["u64", cut]));
    b.add("##DT", [], records.subarray(0, cut));
    b.add("##DT", [], records.subarray(cut));
  } else {
    const zip = o.zipType ?? (kind === "dz" ? 0 : 1);
    b.add("##DZ", [], dzData(records, zip, 9, records.length + (o.orgLengthDelta ?? 0)));
  }
}

export interface CanRecord {
  t: number;
  id: number;
  ide: boolean;
  data: number[];
  bus: number;
  dir?: number;
}

/**
 * A CAN bus-logging file in the composite layout: per data group one sorted `CAN_DataFrame`
 * group (u64 µs timestamps), ID with bit 31 set for extended IDs, 8 inline DataBytes.
 */
export interface CanFileOptions {
  /** Name of the structure channel: `CAN_DataFrame` (default), `CAN_RemoteFrame`... */
  frame?: string;
  /** Per-bus layout: BusChannel as a virtual channel with a constant (factor-0) conversion. */
  constantBus?: number;
}

export function canFile(groups: CanRecord[][], o: CanFileOptions = {}): Uint8Array {
  const frame = o.frame ?? "CAN_DataFrame";
  const b = new Mdf4Builder();
  b.add("##HD", [groups.length ? { ref: 1 } : 0, 0, 0, 0, 0, 0], hdData(START_NS));
  const members: [string, number, number, number][] = [
    ["ID", 8, 0, 32], ["IDE", 12, 0, 1], ["DLC", 12, 1, 4], ["DataLength", 13, 0, 8],
    ["BusChannel", 14, 0, 8], ["Dir", 15, 0, 1], ["DataBytes", 16, 0, 64],
  ];
  groups.forEach((records, g) => {
    const base = b.blocks.length;
    const dgNext: Link = g + 1 < groups.length ? { ref: base + 9 + 2 * members.length } : 0;
    b.add("##DG", [dgNext, { ref: base + 1 }, { ref: base + 7 + 2 * members.length }, 0],
      dgData(0));
    b.add("##CG", [0, { ref: base + 2 }, { ref: base + 6 }, 0, 0, 0], cgData(0, records.length, 2, 24));
    b.add("##CN", cnLinks({ ref: base + 4 }, { ref: base + 3 }, { cc: { ref: base + 5 } }),
      cnData({ type: 2, sync: 1, byteOffset: 0, bitCount: 64 }));
    b.add("##TX", [], text("Timestamp"));
    b.add("##CN", cnLinks(0, { ref: base + 6 }, { comp: { ref: base + 7 } }),
      cnData({ dataType: 10, byteOffset: 8, bitCount: 16 * 8 }));
    b.add("##CC", [0, 0, 0, 0], ccLinear(1e-6, 0));
    b.add("##TX", [], text(frame));
    members.forEach(([name, byteOffset, bitOffset, bitCount], k) => {
      const next: Link = k + 1 < members.length ? { ref: base + 9 + 2 * k } : 0;
      const constant = name === "BusChannel" && o.constantBus !== undefined;
      b.add("##CN", cnLinks(next, { ref: base + 8 + 2 * k },
        constant ? { cc: { ref: base + 8 + 2 * members.length } } : {}), cnData({
        type: constant ? 6 : 0,
        byteOffset: constant ? 0 : byteOffset,
        bitOffset: constant ? 0 : bitOffset,
        bitCount: constant ? 0 : bitCount,
        dataType: name === "DataBytes" ? 10 : 0,
      }));
      b.add("##TX", [], text(`${frame}.${name}`));
    });
    b.add("##DT", [], canRecords(records));
    b.add("##CC", [0, 0, 0, 0], ccLinear(0, o.constantBus ?? 0));
  });
  return b.build();
}

function canRecords(records: CanRecord[]): Uint8Array {
  const out = new Uint8Array(24 * records.length);
  const v = new DataView(out.buffer);
  records.forEach((r, i) => {
    const at = 24 * i;
    v.setBigUint64(at, BigInt(Math.round(r.t * 1e6)), true);
    v.setUint32(at + 8, (r.id | (r.ide ? 0x80000000 : 0)) >>> 0, true);
    const len = r.data.length;
    out[at + 12] = (r.ide ? 1 : 0) | (Math.min(len, 8) << 1);
    out[at + 13] = len;
    out[at + 14] = r.bus;
    out[at + 15] = r.dir ?? 0;
    out.set(r.data, at + 16);
  });
  return out;
}
