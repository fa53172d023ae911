import { afterEach, describe, expect, it } from "vitest";
import type { CanBus } from "../../../../drivers/can/CanBus.js";
import { makeFrame, type CanFrame } from "../../../../drivers/can/CanFrame.js";
import { VirtualBus } from "../../../../drivers/can/virtual/VirtualBus.js";

const opened: CanBus[] = [];
function endpoint(bus: string): CanBus {
  const e = VirtualBus.endpoint(bus);
  opened.push(e);
  return e;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((e) => e.close()));
});

describe("VirtualBus", () => {
  it("delivers a frame to every other endpoint of the bus, not back to the sender", () => {
    const [a, b, c] = [endpoint("t1"), endpoint("t1"), endpoint("t1")];
    const seen: string[] = [];
    a.onFrame(() => seen.push("a"));
    b.onFrame(() => seen.push("b"));
    c.onFrame(() => seen.push("c"));
    a.send(makeFrame(0x123, Uint8Array.of(1)));
    expect(seen.sort()).toEqual(["b", "c"]);
  });

  it("names one bus per name: other buses do not hear it", () => {
    const a = endpoint("t2");
    const other = endpoint("t2-other");
    const seen: CanFrame[] = [];
    other.onFrame((f) => seen.push(f));
    a.send(makeFrame(1, new Uint8Array(0)));
    expect(seen).toEqual([]);
    expect(VirtualBus.get("t2")).toBe(VirtualBus.get("t2"));
  });

  it("stamps frames with a monotonic time that never goes back", () => {
    const [a, b] = [endpoint("t3"), endpoint("t3")];
    const stamps: bigint[] = [];
    b.onFrame((_f, ts) => stamps.push(ts));
    const before = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) a.send(makeFrame(i, new Uint8Array(0)));
    expect(stamps).toHaveLength(100);
    expect(stamps[0]! >= before).toBe(true);
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! >= stamps[i - 1]!).toBe(true);
  });

  it("stops delivering to a removed listener and to a closed endpoint", async () => {
    const [a, b] = [endpoint("t4"), endpoint("t4")];
    let count = 0;
    const off = b.onFrame(() => count++);
    a.send(makeFrame(1, new Uint8Array(0)));
    off();
    a.send(makeFrame(2, new Uint8Array(0)));
    expect(count).toBe(1);
    await b.close();
    expect(() => b.send(makeFrame(3, new Uint8Array(0)))).toThrow(/closed/);
  });

  it("leaves the registry once its last endpoint closes", async () => {
    const a = VirtualBus.endpoint("t5");
    const bus = VirtualBus.get("t5");
    expect(bus.endpointCount).toBe(1);
    await a.close();
    expect(VirtualBus.get("t5")).not.toBe(bus);
  });
});
