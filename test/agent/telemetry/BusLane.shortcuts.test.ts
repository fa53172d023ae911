import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { makeFrame, type CanFrame } from "../../../drivers/can/CanFrame.js";
import { BusLane } from "../../../agent/telemetry/BusLane.js";
import { StreamFilter } from "../../../agent/telemetry/StreamFilter.js";
import type { SignalRule, StreamConfig } from "../../../agent/telemetry/TelemetryConfig.js";
import type { TelemetryRecord } from "../../../agent/telemetry/TelemetryRecord.js";
import { frameOf, sampleDbc } from "./support/sampleDbc.js";

const dbc = sampleDbc();
const idOf = (name: string) => dbc.messageByName(name)?.id ?? -1;

/** A few payloads per message, so that sequences repeat payloads as buses do. */
const payloads: CanFrame[] = [
  frameOf(dbc, "EngineData", { EngineSpeed: 800, CoolantTemp: 90 }),
  frameOf(dbc, "EngineData", { EngineSpeed: 800.25, CoolantTemp: 90 }),
  frameOf(dbc, "EngineData", { EngineSpeed: 3000, CoolantTemp: 215 }),
  outOfRange(frameOf(dbc, "EngineData", { CoolantTemp: 100 })),
  frameOf(dbc, "VehicleDynamics", { VehicleSpeed: 50, LongitudinalAccel: -1 }),
  frameOf(dbc, "VehicleDynamics", { VehicleSpeed: 50.5, LongitudinalAccel: -6 }),
  frameOf(dbc, "Pedals", { AcceleratorPedal: 20, BrakePedal: 0 }),
  frameOf(dbc, "Pedals", { AcceleratorPedal: 20, BrakePedal: 60, BrakeSwitch: 1 }),
];

/** EngineSpeed at its raw maximum, 16383.75 rpm: beyond the DBC's 16000. */
function outOfRange(f: CanFrame): CanFrame {
  const data = Uint8Array.from(f.data);
  data[0] = 0xff;
  data[1] = 0xff;
  return makeFrame(f.id, data, { extended: f.extended });
}

/** The same bytes cut short: a repeat of the prefix must not reuse the full frame's values. */
const truncated = (f: CanFrame, length: number): CanFrame =>
  makeFrame(f.id, f.data.slice(0, length), { extended: f.extended });

const rules: SignalRule[][] = [
  [{ names: ["*"], minIntervalMs: 25 }],
  [{ names: ["*"], minIntervalMs: 10, everyNth: 2, onChange: { absolute: 0.1 } }],
  [{ names: ["*"], onChange: { relative: 0.01 } }],
  [{ names: ["*"], onChange: { absolute: 0 } }],
  [{ names: ["*"], windowMs: 50 }],
  [{ names: ["*"], minIntervalMs: 15, windowMs: 100 }],
  [{ names: ["Engine*", "Vehicle*"], everyNth: 3 }, { names: ["*"], onChange: {} }],
  [{ names: ["BrakePedal"], windowMs: 40 }, { names: ["*"], minIntervalMs: 30 }],
];

function stream(i: number, r: number, ids: boolean): StreamConfig {
  return {
    name: `s${i}`, priority: 1, sink: "x", topic: "t", signals: rules[r] ?? [],
    ...(ids ? { ids: [{ action: "accept", from: idOf("EngineData"), to: idOf("VehicleDynamics") }] }
      : {}),
    ...(r === 2 ? { triggers: [{ name: "brake", when: "BrakePedal > 50", preMs: 20, postMs: 20 }] }
      : {}),
  };
}

interface Run {
  out: TelemetryRecord[][];
  stats: unknown[];
}

/** Through the lane: the per-ID decode cache and the plans' shortcuts. */
function viaLane(configs: StreamConfig[], frames: [number, CanFrame][]): Run {
  const out = configs.map((): TelemetryRecord[] => []);
  const filters = configs.map((c, i) => ({
    filter: new StreamFilter(c, dbc, "can0"), emit: (r: TelemetryRecord) => out[i]?.push(r),
  }));
  const lane = new BusLane("can0", dbc, filters);
  for (const [t, frame] of frames) lane.frame(frame, t);
  for (const { filter, emit } of filters) filter.flush(Infinity, emit);
  return { out, stats: [lane.counters, ...filters.map((f) => f.filter.stats)] };
}

/** Signal by signal: every frame decoded afresh, every plan forced to visit each signal. */
function reference(configs: StreamConfig[], frames: [number, CanFrame][]): Run {
  const out = configs.map((): TelemetryRecord[] => []);
  const filters = configs.map((c) => new StreamFilter(c, dbc, "can0"));
  const counters = { framesReceived: 0, framesDecoded: 0, unknownIds: 0 };
  for (const [t, frame] of frames) {
    counters.framesReceived++;
    counters.framesDecoded++;
    const values = new Float64Array(dbc.maxSignals);
    const message = dbc.decodeInto(frame, values);
    if (!message) throw new Error("the pool holds known IDs only");
    filters.forEach((filter, i) => {
      const emit = (r: TelemetryRecord) => out[i]?.push(r);
      const plan = filter.planFor(message);
      plan.shape = "mixed";
      if (filter.accepts(frame.id, frame.extended)) filter.process(message, values, t, emit);
      else if (filter.triggersRead(message)) filter.trigger(plan, values, t, emit);
    });
  }
  filters.forEach((f, i) => f.flush(Infinity, (r) => out[i]?.push(r)));
  return { out, stats: [counters, ...filters.map((f) => f.stats)] };
}

describe("BusLane shortcuts", () => {
  it("give the records and counts of signal-by-signal filtering", () => {
    const frame = fc.tuple(
      fc.constantFrom(0, 0.0625, 1, 7, 26, 60),
      fc.nat(payloads.length - 1),
      fc.option(fc.integer({ min: 1, max: 7 }), { freq: 6 }),
    );
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(rules.length - 1), fc.boolean()), { minLength: 1, maxLength: 3 }),
      fc.array(frame, { maxLength: 120 }),
      (streams, steps) => {
        const configs = streams.map(([r, ids], i) => stream(i, r, ids));
        let t = 1.7e12;
        const frames = steps.map(([gap, k, cut]): [number, CanFrame] => {
          t += gap;
          const f = payloads[k] as CanFrame;
          return [t, cut === null ? f : truncated(f, Math.min(cut, f.data.length))];
        });
        expect(viaLane(configs, frames)).toEqual(reference(configs, frames));
      },
    ), { numRuns: 200 });
  });

  it("decodes a payload once while its ID repeats it, and again when it changes", () => {
    const decode = vi.spyOn(dbc, "decodeInto");
    const a = payloads[0] as CanFrame;
    const b = payloads[1] as CanFrame;
    const { out } = viaLane([stream(0, 4, false)], [[0, a], [1, a], [2, a], [3, b], [4, a]]);
    expect(decode).toHaveBeenCalledTimes(3);
    decode.mockRestore();
    const speed = out[0]?.find((r) => r.type === "window" && r.signal === "EngineSpeed");
    expect(speed).toMatchObject({ count: 5, min: 800, max: 800.25, last: 800 });
  });
});
