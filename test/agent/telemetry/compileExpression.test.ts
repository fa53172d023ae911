import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileExpression, expressionNames } from "../../../agent/telemetry/compileExpression.js";
import { ExpressionError } from "../../../agent/telemetry/ExpressionError.js";

const names = ["Speed", "Accel", "Door.FL"];
const resolve = (n: string) => (names.includes(n) ? names.indexOf(n) : undefined);
const run = (text: string, values: number[]) =>
  compileExpression(text, resolve)(Float64Array.from(values));

function errorOf(text: string): ExpressionError {
  try {
    compileExpression(text, resolve);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`${text} compiled`);
}

describe("compileExpression", () => {
  it("evaluates comparisons, logic and arithmetic with the usual precedence", () => {
    expect(run("Accel < -4 && Speed > 10", [20, -5, 0])).toBe(1);
    expect(run("Accel < -4 && Speed > 10", [5, -5, 0])).toBe(0);
    expect(run("Speed > 10 or Door.FL == 1", [0, 0, 1])).toBe(1);
    expect(run("not (Speed > 10)", [0, 0, 0])).toBe(1);
    expect(run("1 + 2 * 3 == 7", [0, 0, 0])).toBe(1);
    expect(run("abs(Accel) >= max(3, 4) - 1", [0, -3, 0])).toBe(1);
    expect(run("Speed / 2", [9, 0, 0])).toBe(4.5);
  });

  it("is false for comparisons with a signal not yet seen", () => {
    expect(run("Speed > 1", [NaN, 0, 0])).toBe(0);
    expect(run("Speed != 1", [NaN, 0, 0])).toBe(0);
    expect(run("!(Speed > 1)", [NaN, 0, 0])).toBe(1);
  });

  it("rejects bad expressions with the column of the problem", () => {
    expect(errorOf("Speed > ").position).toBe(8);
    expect(errorOf("Speed >> 3").position).toBe(7);
    expect(errorOf("(Speed > 3").expected).toBe('")"');
    expect(errorOf("Speed > 3 Accel").position).toBe(10);
    const unknown = errorOf("Speed > 3 && Nope < 1");
    expect([unknown.position, unknown.found]).toEqual([13, '"Nope"']);
    expect(errorOf("Speed # 3").message).toContain("at 6");
    expect(errorOf("foo(Speed)").expected).toContain("function");
  });

  it("lists the signals an expression reads", () => {
    expect(expressionNames("Speed > 1 && abs(Accel) > Speed").sort()).toEqual(["Accel", "Speed"]);
  });

  it("agrees with JavaScript on random arithmetic", () => {
    const leaf = fc.oneof(fc.integer({ min: 0, max: 99 }).map(String), fc.constantFrom("Speed", "Accel"));
    const tree = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof({ depthSize: "small" }, leaf, fc.tuple(tie("e"), fc.constantFrom("+", "-", "*"), tie("e"))
        .map(([a, op, b]) => `(${a} ${op} ${b})`)),
    })).e;
    fc.assert(fc.property(tree, fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 }),
      (text, speed, accel) => {
        const expected = new Function("Speed", "Accel", `return ${text};`)(speed, accel) as number;
        expect(run(text, [speed, accel, 0])).toBe(expected);
      }));
  });
});
