import { describe, expect, it, vi } from "vitest";
import { makeFrame } from "../../../drivers/can/CanFrame.js";
import type { SignalInput } from "../../../drivers/dbc/index.js";
import { BusLane } from "../../../agent/telemetry/BusLane.js";
import { StreamFilter } from "../../../agent/telemetry/StreamFilter.js";
import type { StreamConfig } from "../../../agent/telemetry/TelemetryConfig.js";
import type { TelemetryRecord } from "../../../agent/telemetry/TelemetryRecord.js";
import { frameOf, sampleDbc } from "./support/sampleDbc.js";

const dbc = sampleDbc();
const idOf = (name: string) => dbc.messageByName(name)?.id ?? -1;

function lane(configs: Partial<StreamConfig>[]) {
  const out: Record<string, TelemetryRecord[]> = {};
  const filters = configs.map((c, i) => {
    const name = c.name ?? `s${i}`;
    out[name] = [];
    const filter = new StreamFilter({ name, priority: 1, sink: "x", topic: "t", ...c }, dbc, "can0");
    return { filter, emit: (r: TelemetryRecord) => out[name]?.push(r) };
  });
  return { lane: new BusLane("can0", dbc, filters), out, filters };
}

const feed = (l: BusLane, t: number, message: string, values: Record<string, SignalInput>) =>
  l.frame(frameOf(dbc, message, values), t);

describe("BusLane", () => {
  it("does not decode a frame that no stream's ID rules accept and no trigger reads", () => {
    const { lane: l, out, filters } = lane([
      { ids: [{ action: "accept", from: idOf("EngineData"), to: idOf("EngineData") }],
        signals: [{ names: ["*"] }] },
    ]);
    const decode = vi.spyOn(dbc, "decodeInto");
    feed(l, 0, "BodyStatus", { DoorFL: 1 });
    expect(decode).not.toHaveBeenCalled();
    feed(l, 1, "EngineData", { EngineSpeed: 900 });
    expect(decode).toHaveBeenCalledTimes(1);
    decode.mockRestore();
    expect(out.s0?.map((r) => r.type === "sample" && r.message)).toContain("EngineData");
    expect(out.s0?.some((r) => r.type === "sample" && r.message === "BodyStatus")).toBe(false);
    expect(filters[0]?.filter.stats.filteredFrames).toBe(1);
    expect(l.counters).toEqual({ framesReceived: 2, framesDecoded: 2, unknownIds: 0 });
  });

  it("feeds a trigger from a message that the stream's ID rules reject", () => {
    // The stream records EngineData only, but its trigger reads and captures VehicleSpeed.
    const { lane: l, out } = lane([{
      ids: [{ action: "accept", from: idOf("EngineData"), to: idOf("EngineData") }],
      triggers: [{ name: "fast", when: "VehicleSpeed > 100", preMs: 20, postMs: 20 }],
    }]);
    for (let t = 0; t < 100; t += 10) {
      feed(l, t, "VehicleDynamics", { VehicleSpeed: t >= 50 ? 120 : 50 });
    }
    feed(l, 200, "EngineData", { EngineSpeed: 900 });
    const captures = out.s0?.filter((r) => r.type === "capture") ?? [];
    expect(captures).toHaveLength(1);
    const capture = captures[0];
    if (capture?.type !== "capture") throw new Error("expected a capture");
    expect(capture.t).toBe(50);
    expect(capture.samples.map((s) => [s.t, s.value])).toEqual([
      [30, 50], [40, 50], [50, 120], [60, 120],
    ]);
    // Rejected frames still count as filtered, and give no samples of their own.
    expect(out.s0?.some((r) => r.type === "sample")).toBe(false);
  });

  it("counts unknown IDs, error and remote frames without decoding", () => {
    const { lane: l } = lane([{ signals: [{ names: ["*"] }] }]);
    l.frame(makeFrame(0x7ff, new Uint8Array(8)), 0);
    l.frame(makeFrame(0x1abcdef, new Uint8Array(8), { extended: true }), 1);
    l.frame({ ...frameOf(dbc, "EngineData", {}), remote: true }, 2);
    expect(l.counters).toEqual({ framesReceived: 3, framesDecoded: 0, unknownIds: 2 });
    expect(l.lastFrameMs).toBeUndefined();
  });
});
