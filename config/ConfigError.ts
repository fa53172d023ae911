/** One problem in a configuration file: where, what was expected, what was found. */
export interface ConfigProblem {
  readonly path: string;
  readonly expected: string;
  readonly found: string;
}

/** A configuration that cannot be used, with every problem found in it. */
export class ConfigError extends Error {
  readonly code = "ECONFIG";

  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    const lines = problems.map((p) => `  ${p.path}: expected ${p.expected}, found ${p.found}`);
    super(`${file}: ${problems.length} problem(s)\n${lines.join("\n")}`);
    this.name = "ConfigError";
  }
}
