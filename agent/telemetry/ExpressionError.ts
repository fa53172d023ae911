/** An expression that does not parse or names an unknown signal, with the 0-based column. */
export class ExpressionError extends Error {
  readonly code = "EXPRESSION";

  constructor(
    readonly expression: string,
    readonly position: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${JSON.stringify(expression)} at ${position}: expected ${expected}, found ${found}`);
    this.name = "ExpressionError";
  }
}
