import { FormatError } from "../../replay/formats/FormatError.js";

/**
 * A DBC that parses but describes something impossible (a signal past the end of its message,
 * an identifier wider than 29 bits), or an encode request the database cannot satisfy.
 */
export class DbcError extends FormatError {
  override readonly code = "E_DBC";

  constructor(file: string, where: string, detail: string) {
    super(file, where, -1, detail);
    this.name = "DbcError";
  }
}
