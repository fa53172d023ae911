import { describe, expect, it } from "vitest";
import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import type { SignalInput } from "../../../drivers/dbc/index.js";
import { ExpressionError } from "../../../agent/telemetry/ExpressionError.js";
import { StreamFilter } from "../../../agent/telemetry/StreamFilter.js";
import type { StreamConfig } from "../../../agent/telemetry/TelemetryConfig.js";
import type { TelemetryRecord } from "../../../agent/telemetry/TelemetryRecord.js";
import { frameOf, sampleDbc } from "./support/sampleDbc.js";

const dbc = sampleDbc();

function run(config: Partial<StreamConfig>, frames: [t: number, frame: CanFrame][]) {
  const stream = { name: "s", priority: 1, sink: "x", topic: "t", ...config };
  const filter = new StreamFilter(stream, dbc, "can0");
  const out: TelemetryRecord[] = [];
  const values = new Float64Array(dbc.maxSignals);
  for (const [t, frame] of frames) {
    const message = dbc.decodeInto(frame, values);
    if (message && filter.accepts(frame.id, frame.extended)) {
      filter.process(message, values, t, (r) => out.push(r));
    }
  }
  filter.flush(Infinity, (r) => out.push(r));
  return { out, stats: filter.stats };
}

const at = (t: number, message: string, values: Record<string, SignalInput>): [number, CanFrame] =>
  [t, frameOf(dbc, message, values)];

describe("StreamFilter", () => {
  it("keeps only the selected signals of the accepted IDs", () => {
    const { out, stats } = run({
      ids: [{ action: "accept", from: 0x0c0, to: 0x0d0 }],
      signals: [{ names: ["Vehicle*", "EngineSpeed"] }],
    }, [
      at(0, "EngineData", { EngineSpeed: 800 }),
      at(1, "VehicleDynamics", { VehicleSpeed: 12.5 }),
      at(2, "BodyStatus", { DoorFL: 1 }),
    ]);
    expect(out.map((r) => r.type === "sample" && [r.message, r.signal, r.value])).toEqual([
      ["EngineData", "EngineSpeed", 800],
      ["VehicleDynamics", "VehicleSpeed", 12.5],
    ]);
    expect(stats.filteredFrames).toBe(1);
  });

  it("applies the first signal rule that names a signal", () => {
    const frames = Array.from({ length: 10 }, (_, i) => at(i * 10, "VehicleDynamics",
      { VehicleSpeed: i, LongitudinalAccel: 0.5 }));
    const { out } = run({
      signals: [{ names: ["VehicleSpeed"], everyNth: 5 }, { names: ["*"], onChange: {} }],
    }, frames);
    const bySignal = (s: string) => out.filter((r) => r.type === "sample" && r.signal === s).length;
    expect([bySignal("VehicleSpeed"), bySignal("LongitudinalAccel"), bySignal("AliveCounter")])
      .toEqual([2, 1, 1]);
  });

  it("summarises signals in windows", () => {
    const frames = Array.from({ length: 20 }, (_, i) =>
      at(1_000_000 + i * 100, "EngineData", { EngineSpeed: 1000 + i * 10 }));
    const { out } = run({ signals: [{ names: ["EngineSpeed"], windowMs: 1000 }] }, frames);
    expect(out).toEqual([
      expect.objectContaining({ type: "window", t: 1_000_000, count: 10, min: 1000, max: 1090, mean: 1045, last: 1090 }),
      expect.objectContaining({ type: "window", t: 1_001_000, count: 10, min: 1100, max: 1190, last: 1190 }),
    ]);
  });

  it("flags values outside the DBC's range", () => {
    // BodyStatus.WindowFL is [0|100] % with factor 0.5 in 8 bits: 120 % encodes, out of range.
    const m = dbc.messageByName("BodyStatus");
    const raw = new Uint8Array(8);
    raw[2] = 240;
    const { out, stats } = run({ signals: [{ names: ["WindowFL"] }] }, [
      at(0, "BodyStatus", { WindowFL: 100 }),
      [1, { ...frameOf(dbc, "BodyStatus", {}), id: m?.id ?? 0, data: raw }],
    ]);
    expect(out.map((r) => r.type === "sample" && [r.value, r.outOfRange ?? false]))
      .toEqual([[100, false], [120, true]]);
    expect(stats.outOfRange).toBe(1);
  });

  it("captures around a harsh-braking condition that spans two messages", () => {
    const frames: [number, CanFrame][] = [];
    for (let t = 0; t < 1000; t += 10) {
      const braking = t >= 500 && t < 600;
      frames.push(at(t, "VehicleDynamics", { VehicleSpeed: 60, LongitudinalAccel: braking ? -6 : -0.5 }));
      frames.push(at(t + 1, "Pedals", { BrakePedal: braking ? 80 : 0 }));
    }
    const { out } = run({
      triggers: [{
        name: "harsh-braking", when: "LongitudinalAccel < -4 && BrakePedal > 50 and VehicleSpeed > 10",
        preMs: 100, postMs: 200, capture: ["LongitudinalAccel", "VehicleSpeed"],
      }],
    }, frames);
    expect(out).toHaveLength(1);
    const capture = out[0];
    if (capture?.type !== "capture") throw new Error("expected a capture");
    // The condition becomes true with the Pedals frame at 501.
    expect(capture.t).toBe(501);
    const times = capture.samples.map((s) => s.t);
    expect(Math.min(...times)).toBe(410);
    expect(Math.max(...times)).toBe(700);
    expect(capture.samples.filter((s) => s.signal === "LongitudinalAccel" && s.value === -6)).toHaveLength(10);
  });

  it("rejects an expression naming a signal the DBC lacks, with its position", () => {
    const make = () => new StreamFilter({
      name: "s", priority: 1, sink: "x", topic: "t",
      triggers: [{ name: "bad", when: "VehicleSpeed > 3 && Warp > 9", preMs: 0, postMs: 0 }],
    }, dbc, "can0");
    expect(make).toThrow(ExpressionError);
    expect(make).toThrow(/at 20: expected a signal of the DBC, found "Warp"/);
  });
});
