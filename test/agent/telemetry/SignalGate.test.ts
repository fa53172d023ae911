import { describe, expect, it } from "vitest";
import { SignalGate } from "../../../agent/telemetry/SignalGate.js";

function kept(gate: SignalGate, samples: [t: number, v: number][]): number[] {
  return samples.filter(([t, v]) => gate.pass(t, v)).map(([t]) => t);
}

describe("SignalGate", () => {
  it("keeps at most one sample per minimum interval", () => {
    const gate = new SignalGate({ names: ["x"], minIntervalMs: 100 });
    const samples: [number, number][] = [[0, 1], [50, 2], [99, 3], [100, 4], [150, 5], [250, 6]];
    expect(kept(gate, samples)).toEqual([0, 100, 250]);
  });

  it("keeps changes beyond an absolute deadband, measured from the last kept value", () => {
    const gate = new SignalGate({ names: ["x"], onChange: { absolute: 1 } });
    // 10.6 and 10.9 are each within 1 of the kept 10; 11.2 is not.
    const samples: [number, number][] =
      [[0, 10], [1, 10.6], [2, 10.9], [3, 11.2], [4, 11.2], [5, 9]];
    expect(kept(gate, samples)).toEqual([0, 3, 5]);
  });

  it("keeps changes beyond a relative deadband", () => {
    const gate = new SignalGate({ names: ["x"], onChange: { relative: 0.1 } });
    expect(kept(gate, [[0, 100], [1, 109], [2, 111], [3, 115], [4, 123]])).toEqual([0, 2, 4]);
  });

  it("with a zero deadband keeps every change and no repeat", () => {
    const gate = new SignalGate({ names: ["x"], onChange: {} });
    expect(kept(gate, [[0, 0], [1, 0], [2, 1], [3, 1], [4, 0]])).toEqual([0, 2, 4]);
  });

  it("keeps every Nth sample, the first included", () => {
    const gate = new SignalGate({ names: ["x"], everyNth: 3 });
    const samples = Array.from({ length: 10 }, (_, i): [number, number] => [i, i]);
    expect(kept(gate, samples)).toEqual([0, 3, 6, 9]);
  });
});
