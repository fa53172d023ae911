import { FormatError } from "../../replay/formats/FormatError.js";

/** A DBC file that does not follow the grammar, with the line and column where it went wrong. */
export class DbcSyntaxError extends FormatError {
  override readonly code = "E_DBC_SYNTAX";

  constructor(
    file: string,
    readonly line: number,
    readonly column: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(file, `line ${line}, column ${column}`, -1, `expected ${expected}, found ${found}`);
    this.name = "DbcSyntaxError";
  }
}
