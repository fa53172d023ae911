import { ExpressionError } from "./ExpressionError.js";

/** A compiled expression: reads signal values by slot, returns a number (1/0 for truth). */
export type Evaluator = (values: Float64Array) => number;

/** Maps a signal name to its slot in the values array, or undefined when there is none. */
export type SlotResolver = (name: string) => number | undefined;

interface Token {
  kind: "number" | "name" | "op" | "end";
  text: string;
  position: number;
}

const OPERATORS = ["&&", "||", "<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "(", ")", "!", ","];
const WORD_OPERATORS: Record<string, string> = { and: "&&", or: "||", not: "!" };
const FUNCTIONS: Record<string, (args: number[]) => number> = {
  abs: (a) => Math.abs(a[0] as number),
  min: (a) => Math.min(...a),
  max: (a) => Math.max(...a),
};

/**
 * Compiles a condition over signals: `||`/`or`, `&&`/`and`, `!`/`not`, comparisons, `+ - * /`,
 * parentheses, numbers, signal names (letters, digits, `_`, `.`) and `abs`, `min`, `max`. A
 * signal that the current frame set has not carried is NaN, so comparisons with it are false.
 */
export function compileExpression(text: string, resolve: SlotResolver): Evaluator {
  const parser = new Parser(text, tokenize(text), resolve);
  const evaluator = parser.or();
  parser.expectEnd();
  return evaluator;
}

/** The signal names an expression refers to (it must parse). */
export function expressionNames(text: string): string[] {
  const names = new Set<string>();
  compileExpression(text, (name) => {
    names.add(name);
    return 0;
  });
  return [...names];
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const number = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
    const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (number) {
      tokens.push({ kind: "number", text: number[0], position: i });
      i += number[0].length;
    } else if (name) {
      const op = WORD_OPERATORS[name[0]];
      tokens.push(op ? { kind: "op", text: op, position: i } : { kind: "name", text: name[0], position: i });
      i += name[0].length;
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (!op) throw new ExpressionError(text, i, "an operator, number or signal", JSON.stringify(c));
      tokens.push({ kind: "op", text: op, position: i });
      i += op.length;
    }
  }
  tokens.push({ kind: "end", text: "", position: text.length });
  return tokens;
}

function describe(token: Token): string {
  return token.kind === "end" ? "the end" : JSON.stringify(token.text);
}

class Parser {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
    private readonly resolve: SlotResolver,
  ) {}

  or(): Evaluator {
    let left = this.and();
    while (this.accept("||")) {
      const l = left;
      const r = this.and();
      left = (v) => (l(v) || r(v) ? 1 : 0);
    }
    return left;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== "end") throw this.error(token, "an operator or the end");
  }

  private and(): Evaluator {
    let left = this.not();
    while (this.accept("&&")) {
      const l = left;
      const r = this.not();
      left = (v) => (l(v) && r(v) ? 1 : 0);
    }
    return left;
  }

  private not(): Evaluator {
    if (this.accept("!")) {
      const inner = this.not();
      return (v) => (inner(v) ? 0 : 1);
    }
    return this.comparison();
  }

  private comparison(): Evaluator {
    const l = this.sum();
    const op = this.peek();
    if (op.kind !== "op" || !["<", "<=", ">", ">=", "==", "!="].includes(op.text)) return l;
    this.at++;
    const r = this.sum();
    switch (op.text) {
      case "<": return (v) => (l(v) < r(v) ? 1 : 0);
      case "<=": return (v) => (l(v) <= r(v) ? 1 : 0);
      case ">": return (v) => (l(v) > r(v) ? 1 : 0);
      case ">=": return (v) => (l(v) >= r(v) ? 1 : 0);
      case "==": return (v) => (l(v) === r(v) ? 1 : 0);
      default: return (v) => (l(v) !== r(v) && !Number.isNaN(l(v) + r(v)) ? 1 : 0);
    }
  }

  private sum(): Evaluator {
    let left = this.product();
    for (;;) {
      const l = left;
      if (this.accept("+")) {
        const r = this.product();
        left = (v) => l(v) + r(v);
      } else if (this.accept("-")) {
        const r = this.product();
        left = (v) => l(v) - r(v);
      } else {
        return left;
      }
    }
  }

  private product(): Evaluator {
    let left = this.unary();
    for (;;) {
      const l = left;
      if (this.accept("*")) {
        const r = this.unary();
        left = (v) => l(v) * r(v);
      } else if (this.accept("/")) {
        const r = this.unary();
        left = (v) => l(v) / r(v);
      } else {
        return left;
      }
    }
  }

  private unary(): Evaluator {
    if (this.accept("-")) {
      const inner = this.unary();
      return (v) => -inner(v);
    }
    return this.primary();
  }

  private primary(): Evaluator {
    const token = this.peek();
    this.at++;
    if (token.kind === "number") {
      const n = Number(token.text);
      return () => n;
    }
    if (token.kind === "name") return this.peek().text === "(" ? this.call(token) : this.signal(token);
    if (token.kind === "op" && token.text === "(") {
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    throw this.error(token, "a number, a signal or (");
  }

  private call(name: Token): Evaluator {
    const fn = FUNCTIONS[name.text];
    if (!fn) throw this.error(name, `a function (${Object.keys(FUNCTIONS).join(", ")})`);
    this.expect("(");
    const args = [this.or()];
    while (this.accept(",")) args.push(this.or());
    this.expect(")");
    return (v) => fn(args.map((a) => a(v)));
  }

  private signal(token: Token): Evaluator {
    const slot = this.resolve(token.text);
    if (slot === undefined) throw this.error(token, "a signal of the DBC");
    return (v) => v[slot] as number;
  }

  private peek(): Token {
    return this.tokens[this.at] as Token;
  }

  private accept(op: string): boolean {
    const token = this.peek();
    if (token.kind !== "op" || token.text !== op) return false;
    this.at++;
    return true;
  }

  private expect(op: string): void {
    if (!this.accept(op)) throw this.error(this.peek(), JSON.stringify(op));
  }

  private error(token: Token, expected: string): ExpressionError {
    return new ExpressionError(this.text, token.position, expected, describe(token));
  }
}
