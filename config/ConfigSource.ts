import { readFile } from "node:fs/promises";
import { isMap, isScalar, LineCounter, parseDocument, Scalar } from "yaml";
import type { Document, Node } from "yaml";
import type { ConfigProblem } from "./ConfigError.js";
import { formatPath } from "./schema/formatPath.js";
import type { SchemaProblem, Segment } from "./schema/validate.js";

/**
 * A configuration file as YAML (JSON is YAML too): its value, and the positions of its nodes,
 * so that a problem found in the value can be placed at a line and column of the file.
 */
export class ConfigSource {
  private constructor(
    readonly file: string,
    readonly value: unknown,
    readonly syntaxProblems: readonly ConfigProblem[],
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  static async read(file: string): Promise<ConfigSource> {
    return ConfigSource.parse(file, await readFile(file, "utf8"));
  }

  static parse(file: string, text: string): ConfigSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const problems = doc.errors.map((e): ConfigProblem => {
      const pos = lines.linePos(e.pos[0]);
      return { path: "(file)", expected: "YAML", found: e.message.split("\n")[0] as string,
        line: pos.line, column: pos.col };
    });
    const value: unknown = problems.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 });
    return new ConfigSource(file, value, problems, doc, lines);
  }

  /** The problem with its path, and its line and column when the file holds that place. */
  place(problem: SchemaProblem): ConfigProblem {
    const base = { path: formatPath(problem.at), expected: problem.expected,
      found: problem.found };
    const offset = this.offsetOf(problem);
    if (offset === undefined) return base;
    const pos = this.lines.linePos(offset);
    return { ...base, line: pos.line, column: pos.col };
  }

  private offsetOf(problem: SchemaProblem): number | undefined {
    const at = problem.at;
    if (problem.atKey === true && at.length > 0) {
      const parent = this.doc.getIn(at.slice(0, -1), true);
      const pair = isMap(parent)
        ? parent.items.find((p) => isScalar(p.key) && p.key.value === at[at.length - 1])
        : undefined;
      if (pair && isScalar(pair.key)) return pair.key.range?.[0];
    }
    // A missing key is placed at the nearest map that exists.
    for (let n = at.length; n >= 0; n--) {
      const node = this.nodeAt(at.slice(0, n));
      if (node?.range) return node.range[0] + (n === at.length ? inside(node, problem) : 0);
    }
    return undefined;
  }

  private nodeAt(at: readonly Segment[]): Node | undefined {
    if (at.length === 0) return this.doc.contents ?? undefined;
    const node: unknown = this.doc.getIn(at, true);
    return node !== null && typeof node === "object" && "range" in node ? node as Node : undefined;
  }
}

/** A column inside a one-line string value, past its opening quote. */
function inside(node: Node, problem: SchemaProblem): number {
  if (problem.column === undefined || !isScalar(node)) return 0;
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
  return problem.column + (quoted ? 1 : 0);
}
