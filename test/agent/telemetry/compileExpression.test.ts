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

  it("computes random arithmetic as the tree it parses from", () => {
    type Tree = number | "Speed" | "Accel" | [Tree, "+" | "-" | "*", Tree];
    const leaf = fc.oneof(fc.integer({ min: 0, max: 99 }), fc.constantFrom("Speed", "Accel"));
    const tree = fc.letrec<{ e: Tree }>((tie) => ({
      e: fc.oneof({ depthSize: "small" }, leaf as fc.Arbitrary<Tree>,
        fc.tuple(tie("e"), fc.constantFrom("+" as const, "-" as const, "*" as const), tie("e"))),
    })).e;
    const text = (t: Tree): string =>
      Array.isArray(t) ? `(${text(t[0])} ${t[1]} ${text(t[2])})` : String(t);
    const value = (t: Tree, speed: number, accel: number): number => {
      if (t === "Speed") return speed;
      if (t === "Accel") return accel;
      if (typeof t === "number") return t;
      const [a, op, b] = [value(t[0], speed, accel), t[1], value(t[2], speed, accel)];
      return op === "+" ? a + b : op === "-" ? a - b : a * b;
    };
    const small = fc.integer({ min: -50, max: 50 });
    fc.assert(fc.property(tree, small, small, (t, speed, accel) => {
      expect(run(text(t), [speed, accel, 0])).toBe(value(t, speed, accel));
    }));
  });
});
