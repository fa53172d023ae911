/** One lexical token of a DBC file; `line` and `column` count from 1. */
export interface DbcToken {
  kind: "ident" | "number" | "string" | "punct" | "eof";
  /** Identifier, punctuation character, number text, or the string's unescaped content. */
  text: string;
  line: number;
  column: number;
}
