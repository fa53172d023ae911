import { describe, expect, it } from "vitest";
import { compileExpression } from "../../../agent/telemetry/compileExpression.js";
import type { TriggerConfig } from "../../../agent/telemetry/TelemetryConfig.js";
import { TriggerCapture } from "../../../agent/telemetry/TriggerCapture.js";

/** One signal `a` at slot 0; the trigger fires on `a > 5` and captures `a`. */
function rig(config: Partial<TriggerConfig> = {}) {
  const trigger = new TriggerCapture(
    { name: "t", when: "a > 5", preMs: 20, postMs: 30, ...config },
    compileExpression("a > 5", () => 0),
    "can0",
  );
  const values = new Float64Array(1);
  const captures: { t: number; samples: number[][] }[] = [];
  const feed = (t: number, a: number) => {
    const done = trigger.observe(t, "a", a);
    if (done) captures.push({ t: done.t, samples: done.samples.map((s) => [s.t, s.value]) });
    values[0] = a;
    trigger.evaluate(t, values);
  };
  return { trigger, feed, captures };
}

describe("TriggerCapture", () => {
  it("captures from preMs before the firing to postMs after it", () => {
    const { feed, captures } = rig();
    for (let t = 0; t <= 100; t += 10) feed(t, t === 50 ? 9 : 1);
    expect(captures).toEqual([{ t: 50, samples: [[30, 1], [40, 1], [50, 9], [60, 1], [70, 1]] }]);
  });

  it("fires on the rising edge only, unless told otherwise", () => {
    const edge = rig({ postMs: 5 });
    const level = rig({ postMs: 5, risingEdge: false });
    for (let t = 0; t <= 60; t += 10) {
      edge.feed(t, t >= 20 ? 9 : 1);
      level.feed(t, t >= 20 ? 9 : 1);
    }
    expect(edge.captures.map((c) => c.t)).toEqual([20]);
    expect(level.captures.map((c) => c.t)).toEqual([20, 30, 40, 50]);
  });

  it("waits the minimum re-trigger interval between captures", () => {
    const { feed, captures } = rig({ postMs: 5, minIntervalMs: 100 });
    for (let t = 0; t <= 300; t += 10) feed(t, t % 40 === 0 ? 9 : 1);
    expect(captures.map((c) => c.t)).toEqual([0, 120, 240]);
  });

  it("hands over a capture whose post window ended without further samples", () => {
    const { trigger, feed } = rig();
    feed(0, 9);
    expect(trigger.flush(29)).toBeUndefined();
    expect(trigger.flush(30)?.samples).toEqual([{ t: 0, signal: "a", value: 9 }]);
  });
});
