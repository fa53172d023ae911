/** One problem in a configuration file: where, what was expected, what was found. */
export interface ConfigProblem {
  /** Where in the configuration, e.g. `telemetry.streams[1].signals[0].minIntervalMs`. */
  readonly path: string;
  readonly expected: string;
  readonly found: string;
  /** 1-based position in the file, when the problem is in the file. */
  readonly line?: number;
  readonly column?: number;
  /** The environment variable the value came from, when it came from one. */
  readonly variable?: string;
  /**
   * `file`: a path that names no readable file on this machine. Kept apart from the shape
   * problems, so that a configuration written for another machine can be checked here.
   */
  readonly kind?: "file";
}

/** Where a problem is, as the user looks for it: `path (line 3:5)` or `path (ROADRIG_...)`. */
export function problemPlace(p: ConfigProblem): string {
  if (p.variable !== undefined) return `${p.path} (${p.variable})`;
  if (p.line !== undefined) return `${p.path} (line ${p.line}:${p.column ?? 1})`;
  return p.path;
}

/** A configuration that cannot be used, with every problem found in it. */
export class ConfigError extends Error {
  readonly code = "ECONFIG";

  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    const lines = problems.map((p) =>
      `  ${problemPlace(p)}: expected ${p.expected}, found ${p.found}`);
    super(`${file}: ${problems.length} problem(s)\n${lines.join("\n")}`);
    this.name = "ConfigError";
  }
}
