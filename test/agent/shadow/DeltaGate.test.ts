import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeltaGate } from "../../../agent/shadow/DeltaGate.js";
import { casePath, hasShared } from "../../support/sharedData.js";

describe("DeltaGate", () => {
  it("admits a delta at the version an /update/accepted already showed", () => {
    const gate = new DeltaGate(221);
    gate.observe(222);
    expect(gate.admit(222)).toBe(true);
  });

  it("drops a delta older than the last version seen, and a duplicate", () => {
    const gate = new DeltaGate();
    expect(gate.admit(5)).toBe(true);
    expect(gate.admit(5)).toBe(false);
    expect(gate.admit(4)).toBe(false);
    gate.observe(9);
    expect(gate.admit(8)).toBe(false);
    expect(gate.admit(10)).toBe(true);
  });

  it("treats deltas up to a GET's version as covered by it", () => {
    const gate = new DeltaGate();
    gate.cover(7);
    expect([gate.admit(7), gate.admit(8)]).toEqual([false, true]);
  });

  it("takes a GET's version over a higher one it never wrote, and admits the next delta", () => {
    const gate = new DeltaGate(20);
    gate.observe(99_999);
    expect(gate.admit(21)).toBe(false);
    gate.cover(21);
    expect([gate.lastSeen, gate.lastApplied]).toEqual([21, 21]);
    expect([gate.admit(21), gate.admit(22)]).toEqual([false, true]);
  });

  it("admits each version at most once, and never one below a version admitted", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 40 }), (vs) => {
      const gate = new DeltaGate();
      const admitted = vs.filter((v) => gate.admit(v));
      expect(admitted).toEqual([...admitted].sort((a, b) => a - b));
      expect(new Set(admitted).size).toBe(admitted.length);
    }));
  });
});

interface Sequence {
  device_last_version_in_sync_before: number;
  incoming_in_arrival_order: { topic: string; payload: { version: number; state: unknown } }[];
  expected: { delta_callbacks: { version: number; state: unknown }[] };
}

describe.skipIf(!hasShared)("DeltaGate on aws-iot-device-sdk-python#94", () => {
  it("delivers the delta that arrives after its own /update/accepted, drops the older one", () => {
    const sequence = JSON.parse(readFileSync(
      casePath("aws-iot-device-sdk-python-94", "sequence.json"), "utf8")) as Sequence;
    const gate = new DeltaGate(sequence.device_last_version_in_sync_before);
    const delivered: unknown[] = [];
    for (const { topic, payload } of sequence.incoming_in_arrival_order) {
      if (topic.endsWith("/update/accepted")) gate.observe(payload.version);
      else if (gate.admit(payload.version)) delivered.push(payload);
    }
    expect(delivered).toEqual(sequence.expected.delta_callbacks);
  });
});
