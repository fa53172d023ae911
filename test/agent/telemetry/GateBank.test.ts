import { describe, expect, it } from "vitest";
import { GateBank } from "../../../agent/telemetry/GateBank.js";

describe("GateBank", () => {
  it("thins each signal by its own rule and state, and passes signals without one", () => {
    const bank = new GateBank([{ names: ["A"], minIntervalMs: 100 }, undefined,
      { names: ["C"], onChange: { absolute: 1 } }]);
    expect(bank.pass(0, 0, 1)).toBe(true);
    expect(bank.pass(0, 50, 2)).toBe(false);
    expect(bank.pass(1, 50, 2)).toBe(true);
    expect(bank.pass(1, 50, 2)).toBe(true);
    expect(bank.pass(2, 50, 10)).toBe(true);
    expect(bank.pass(2, 60, 10.5)).toBe(false);
    expect(bank.pass(0, 100, 3)).toBe(true);
    expect(bank.pass(2, 70, 11.5)).toBe(true);
  });

  it("knows when some signal may pass its minimum interval again, and none passes before", () => {
    const bank = new GateBank([{ names: ["A"], minIntervalMs: 100 },
      { names: ["B"], minIntervalMs: 30, onChange: { absolute: 1 } }]);
    expect(bank.nextDue()).toBe(-Infinity);
    expect(bank.pass(0, 1000, 1)).toBe(true);
    expect(bank.pass(1, 1010, 1)).toBe(true);
    const due = bank.nextDue();
    expect(due).toBeLessThanOrEqual(1040);
    expect(due).toBeGreaterThan(1039.99);
    expect(bank.pass(0, due, 5)).toBe(false);
    expect(bank.pass(1, due, 5)).toBe(false);
    expect(bank.pass(1, 1040, 5)).toBe(true);
    expect(new GateBank([{ names: ["A"], onChange: {} }]).nextDue()).toBe(-Infinity);
  });
});
