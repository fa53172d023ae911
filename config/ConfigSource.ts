import { constants } from "node:fs";
import { open } from "node:fs/promises";
import type { Stats } from "node:fs";
import { isUtf8 } from "node:buffer";
import { isMap, isScalar, LineCounter, parseDocument, Scalar, visit } from "yaml";
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

  /**
   * Reads the file. What is not a small UTF-8 text file (a folder, a FIFO, a device, a log
   * named by mistake, Latin-1 text) is a problem of the file, not a crash or a hang: the FIFO
   * is opened without blocking and nothing past the size limit is read.
   */
  static async read(file: string): Promise<ConfigSource> {
    const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        return ConfigSource.refused(file, { expected: "a regular file", found: kindOf(info) });
      }
      const bytes = Buffer.alloc(Math.min(info.size, MAX_CONFIG_BYTES) + 1);
      let length = 0;
      for (let n = -1; n !== 0 && length < bytes.length;) {
        ({ bytesRead: n } = await handle.read(bytes, length, bytes.length - length, length));
        length += n;
      }
      if (length > MAX_CONFIG_BYTES) {
        return ConfigSource.refused(file, { expected: `at most ${MAX_CONFIG_BYTES} bytes`,
          found: `${info.size} bytes` });
      }
      return ConfigSource.decode(file, bytes.subarray(0, length));
    } finally {
      await handle.close();
    }
  }

  /** UTF-8 bytes; the first byte that is not UTF-8 is placed at its line and column. */
  static decode(file: string, bytes: Uint8Array): ConfigSource {
    if (isUtf8(bytes)) return ConfigSource.parse(file, new TextDecoder().decode(bytes));
    const bad = firstNonUtf8(bytes);
    const before = new TextDecoder().decode(bytes.subarray(0, bad)).split("\n");
    const hex = (bytes[bad] ?? 0).toString(16).toUpperCase().padStart(2, "0");
    return ConfigSource.refused(file, { expected: "UTF-8 text",
      found: `byte 0x${hex} at offset ${bad}`, line: before.length,
      column: (before[before.length - 1] ?? "").length + 1 });
  }

  static parse(file: string, text: string): ConfigSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const problems = doc.errors.map((e): ConfigProblem => {
      const pos = lines.linePos(e.pos[0]);
      return { path: "(file)", expected: "YAML", found: e.message.split("\n")[0] as string,
        line: pos.line, column: pos.col };
    });
    if (problems.length > 0) return new ConfigSource(file, undefined, problems, doc, lines);
    try {
      return new ConfigSource(file, doc.toJS({ maxAliasCount: 100 }), [], doc, lines);
    } catch (error) {
      // yaml refuses aliases that expand a small file into a huge value (billion laughs).
      const pos = lines.linePos(firstAlias(doc));
      const problem: ConfigProblem = { path: "(file)", expected: "YAML whose aliases expand "
        + "to a small value", found: (error as Error).message, line: pos.line, column: pos.col };
      return new ConfigSource(file, undefined, [problem], doc, lines);
    }
  }

  private static refused(file: string, problem: Omit<ConfigProblem, "path">): ConfigSource {
    const lines = new LineCounter();
    return new ConfigSource(file, undefined, [{ path: "(file)", ...problem }],
      parseDocument("", { lineCounter: lines }), lines);
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

/** A configuration file is a few kilobytes; beyond this it is not one. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

function kindOf(info: Stats): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a FIFO";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  if (info.isSocket()) return "a socket";
  return "not a regular file";
}

/** Offset of the first byte that starts no valid UTF-8 sequence (RFC 3629 table). */
function firstNonUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    const next = b[i + 1] ?? 0;
    let n: number;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c === 0xe0) n = next >= 0xa0 ? 2 : -1;
    else if (c === 0xed) n = next <= 0x9f ? 2 : -1;
    else if (c >= 0xe1 && c <= 0xef) n = 2;
    else if (c === 0xf0) n = next >= 0x90 ? 3 : -1;
    else if (c === 0xf4) n = next <= 0x8f ? 3 : -1;
    else if (c >= 0xf1 && c <= 0xf3) n = 3;
    else n = -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return i;
}

function firstAlias(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

/** A column inside a one-line string value, past its opening quote. */
function inside(node: Node, problem: SchemaProblem): number {
  if (problem.column === undefined || !isScalar(node)) return 0;
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
  return problem.column + (quoted ? 1 : 0);
}
