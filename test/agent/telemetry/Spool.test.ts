import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Spool } from "../../../agent/telemetry/Spool.js";
import type { SpoolEntry } from "../../../agent/telemetry/SpoolEntry.js";
import type { SpoolConfig } from "../../../agent/telemetry/TelemetryConfig.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(config: Partial<SpoolConfig> = {}, dir?: string): Spool {
  const d = dir ?? mkdtempSync(join(tmpdir(), "roadrig-spool-"));
  if (!dir) dirs.push(d);
  return new Spool({ dir: d, fsync: "never", ...config });
}

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const all = (s: Spool) => {
  const out: SpoolEntry[] = [];
  for (let e = s.take(() => true); e; e = s.take(() => true)) out.push(e);
  return out;
};

describe("Spool", () => {
  it("hands out batches by priority, oldest first within one, and reads back their bytes", () => {
    const s = open();
    s.append("low", 1, bytes(10, 1));
    s.append("high", 9, bytes(20, 2));
    s.append("low", 1, bytes(30, 3));
    s.append("high", 9, bytes(40, 4));
    const order = all(s);
    expect(order.map((e) => [e.stream, e.seq])).toEqual([["high", 2], ["high", 4], ["low", 1], ["low", 3]]);
    expect([...s.read(order[2] as SpoolEntry)]).toEqual([...bytes(10, 1)]);
    expect([...s.read(order[1] as SpoolEntry)]).toEqual([...bytes(40, 4)]);
    s.close();
  });

  it("keeps unacknowledged batches across a reopen, and forgets acknowledged ones", () => {
    const s = open();
    const dir = dirs[0] as string;
    const entries = [1, 2, 3].map((i) => s.append("a", 1, bytes(i, i)).entry as SpoolEntry);
    s.ack(entries[1] as SpoolEntry);
    s.close();
    const again = open({}, dir);
    const left = all(again);
    expect(left.map((e) => e.seq)).toEqual([1, 3]);
    expect([...again.read(left[1] as SpoolEntry)]).toEqual([3, 3, 3]);
    // Numbering continues after the highest number ever used.
    expect(again.append("a", 1, bytes(1, 0)).entry?.seq).toBe(4);
    again.close();
  });

  it("continues numbering even after every batch was acknowledged and its segment deleted", () => {
    const s = open();
    const dir = dirs[0] as string;
    for (let i = 0; i < 5; i++) s.ack(s.append("a", 1, bytes(4, i)).entry as SpoolEntry);
    s.close();
    const again = open({}, dir);
    expect(again.count).toBe(0);
    expect(again.append("a", 1, bytes(1, 0)).entry?.seq).toBe(6);
    again.close();
  });

  it("puts a released batch back in its place", () => {
    const s = open();
    s.append("a", 1, bytes(1, 1));
    s.append("a", 1, bytes(1, 2));
    const first = s.take(() => true) as SpoolEntry;
    s.release(first);
    expect(s.take(() => true)?.seq).toBe(1);
    s.close();
  });

  it("rolls segments over and deletes each once all its batches are acknowledged", () => {
    const s = open({ segmentBytes: 100 });
    const dir = dirs[0] as string;
    const entries = Array.from({ length: 10 }, (_, i) => s.append("a", 1, bytes(60, i)).entry as SpoolEntry);
    expect(readdirSync(dir).filter((f) => f.endsWith(".rrs")).length).toBe(5);
    for (const e of entries.slice(0, 6)) s.ack(e);
    expect(readdirSync(dir).filter((f) => f.endsWith(".rrs")).length).toBe(2);
    s.close();
  });

  it("drops a torn entry at the end of the last segment and keeps the complete ones", () => {
    const s = open();
    const dir = dirs[0] as string;
    s.append("a", 1, bytes(50, 7));
    s.append("a", 1, bytes(50, 8));
    s.close();
    const segment = join(dir, readdirSync(dir).find((f) => f.endsWith(".rrs")) as string);
    const good = statSync(segment).size;
    // Half of a third entry, as a kill -9 mid-write would leave it.
    appendFileSync(segment, Buffer.from([0x31, 0x53, 0x52, 0x52, 60, 0, 0, 0, 1, 2, 3]));
    const again = open({}, dir);
    expect(all(again).map((e) => e.seq)).toEqual([1, 2]);
    expect(statSync(segment).size).toBe(good);
    expect(again.append("a", 1, bytes(1, 0)).entry?.seq).toBe(3);
    again.close();
  });

  it("refuses a damaged entry in the middle of the spool, naming file and offset", () => {
    const s = open({ segmentBytes: 10 });
    const dir = dirs[0] as string;
    s.append("a", 1, bytes(20, 1));
    s.append("a", 1, bytes(20, 2));
    s.close();
    // Entry = 12 header + 8 seq + 1 priority + 1 name length + 1 name + 20 payload = 43 bytes.
    const first = join(dir, readdirSync(dir).filter((f) => f.endsWith(".rrs")).sort()[0] as string);
    appendFileSync(first, Buffer.from("garbage!!!!!!!!!!!!!!!!!!"));
    expect(() => open({}, dir)).toThrow(/seg-0000000000000001\.rrs at byte 43: expected a complete spool entry/);
  });

  it("evicts the oldest batches of the lowest priority when full, and counts them", () => {
    const s = open({ maxBytes: 100 });
    s.append("comfort", 1, bytes(30, 1));
    s.append("crash", 9, bytes(30, 2));
    s.append("comfort", 1, bytes(30, 3));
    const r = s.append("crash", 9, bytes(30, 4));
    expect(r.evicted.map((e) => [e.stream, e.seq])).toEqual([["comfort", 1]]);
    const r2 = s.append("crash", 9, bytes(60, 5));
    expect(r2.evicted.map((e) => e.seq)).toEqual([3, 2]);
    expect(s.bytes).toBe(90);
    expect(all(s).map((e) => e.seq)).toEqual([4, 5]);
    s.close();
  });

  it("refuses a low-priority batch rather than evict higher ones for it", () => {
    const s = open({ maxBytes: 60 });
    s.append("crash", 9, bytes(30, 1));
    s.append("crash", 9, bytes(30, 2));
    const r = s.append("comfort", 1, bytes(10, 3));
    expect(r.entry).toBeUndefined();
    expect(r.evicted).toEqual([]);
    expect(s.count).toBe(2);
    s.close();
  });

  it("never evicts a batch that is in flight", () => {
    const s = open({ maxBytes: 60 });
    s.append("a", 1, bytes(30, 1));
    const sending = s.take(() => true) as SpoolEntry;
    s.append("a", 1, bytes(30, 2));
    const r = s.append("a", 1, bytes(30, 3));
    expect(r.evicted.map((e) => e.seq)).toEqual([2]);
    expect(sending.state).toBe("inflight");
    s.close();
  });
});
