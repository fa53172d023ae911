import { constants } from "node:fs";
import { access, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { parseDbc } from "../drivers/dbc/index.js";
import type { Dbc } from "../drivers/dbc/index.js";
import type { ConfigProblem } from "./ConfigError.js";
import { ConfigSource } from "./ConfigSource.js";
import { checkBodyAgainstDbc, checkTriggersAgainstDbc, crossCheckAgent } from "./crossCheckAgent.js";
import { defaultAgentConfig } from "./defaultAgentConfig.js";
import { AGENT_ENV_PREFIX, applyEnvOverrides, type EnvOverride } from "./envOverrides.js";
import { agentSchema } from "./schema/agentSchema.js";
import { formatPath } from "./schema/formatPath.js";
import { isProfilesFile, replayProfilesSchema } from "./schema/replayProfilesSchema.js";
import type { ObjectSchema } from "./schema/Schema.js";
import { validate, type PathValue, type SchemaProblem } from "./schema/validate.js";

export type ConfigKind = "agent" | "replay-profiles";

export interface CheckOptions {
  /** Detected from the file when absent: a top-level `profiles` key is a profiles file. */
  readonly kind?: ConfigKind;
  /** Variables for overrides (`ROADRIG_AGENT__...`); none when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Check that the paths name readable files (default true); false for another machine's. */
  readonly files?: boolean;
}

export interface CheckedConfig {
  readonly file: string;
  readonly kind: ConfigKind;
  /** The effective configuration: defaults filled in, overrides applied, paths resolved. */
  readonly value: Record<string, unknown>;
  /** Every problem, in the order of the file; `kind: "file"` ones only when files are checked. */
  readonly problems: readonly ConfigProblem[];
}

export const schemaFor = (kind: ConfigKind): ObjectSchema =>
  (kind === "agent" ? agentSchema : replayProfilesSchema);

/** Reads and checks a configuration file, listing every problem rather than the first. */
export async function checkConfigFile(
  file: string,
  options: CheckOptions = {},
): Promise<CheckedConfig> {
  const source = await ConfigSource.read(file);
  const kind = options.kind ?? (isProfilesFile(source.value) ? "replay-profiles" : "agent");
  if (source.syntaxProblems.length > 0) {
    return { file, kind, value: {}, problems: source.syntaxProblems };
  }
  const schema = schemaFor(kind);
  const overridden = kind === "agent"
    ? applyEnvOverrides(source.value, schema, options.env ?? {}, AGENT_ENV_PREFIX)
    : { value: source.value, overrides: [], problems: [] };
  const checked = validate(overridden.value, schema, dirname(file));
  const value = (checked.value ?? {}) as Record<string, unknown>;
  const found: SchemaProblem[] = [...checked.problems];
  if (kind === "agent") found.push(...crossCheckAgent(value), ...await dbcProblems(value));
  const files = options.files === false ? [] : await pathProblems(checked.paths);
  const placed = [...found, ...files].map((p) => placeProblem(source, p, overridden.overrides));
  return { file, kind, value, problems: [...overridden.problems, ...placed.sort(byPlace)] };
}

/** Variables first, then in the order of the file. */
function byPlace(a: ConfigProblem, b: ConfigProblem): number {
  const key = (p: ConfigProblem) => (p.line ?? 0) * 1e6 + (p.column ?? 0);
  return key(a) - key(b);
}

function placeProblem(
  source: ConfigSource,
  problem: SchemaProblem & { kind?: "file" },
  overrides: readonly EnvOverride[],
): ConfigProblem {
  const kind = problem.kind === undefined ? {} : { kind: problem.kind };
  const from = overrides.find((o) => o.at.every((s, i) => problem.at[i] === s));
  if (from === undefined) return { ...source.place(problem), ...kind };
  return { path: formatPath(problem.at), expected: problem.expected, found: problem.found,
    variable: from.variable, ...kind };
}

/** Files that must be readable; folders may be missing (they are made) but not be files. */
async function pathProblems(paths: readonly PathValue[]) {
  const problems: (SchemaProblem & { kind: "file" })[] = [];
  for (const p of paths) {
    const info = await stat(p.path).catch(() => undefined);
    if (p.mode === "dir") {
      if (info !== undefined && !info.isDirectory()) {
        problems.push({ at: p.at, expected: "a folder", found: `a file at ${p.path}`,
          kind: "file" });
      }
      continue;
    }
    const readable = info?.isFile() === true
      && await access(p.path, constants.R_OK).then(() => true, () => false);
    if (!readable) {
      problems.push({ at: p.at, expected: "a readable file", kind: "file",
        found: info === undefined ? `none at ${p.path}` : `no readable file at ${p.path}` });
    }
  }
  return problems;
}

/** Checks against the DBCs when they can be read; an unreadable one is a `file` problem. */
async function dbcProblems(config: Record<string, unknown>): Promise<SchemaProblem[]> {
  const bodyDbc = typeof config.dbc === "string" ? config.dbc : defaultAgentConfig().dbc;
  const telemetry = config.telemetry as { dbc?: unknown } | undefined;
  const telemetryDbc = typeof telemetry?.dbc === "string" ? telemetry.dbc : bodyDbc;
  const problems: SchemaProblem[] = [];
  const body = await loadDbc(bodyDbc, ["dbc"], problems);
  if (body) problems.push(...checkBodyAgainstDbc(config, body));
  if (telemetry === undefined) return problems;
  const sameFile = telemetryDbc === bodyDbc;
  const forTelemetry = sameFile ? body
    : await loadDbc(telemetryDbc, ["telemetry", "dbc"], problems);
  if (forTelemetry) problems.push(...checkTriggersAgainstDbc(config, forTelemetry));
  return problems;
}

async function loadDbc(
  path: string,
  at: string[],
  problems: SchemaProblem[],
): Promise<Dbc | undefined> {
  const bytes = await readFile(path).catch(() => undefined);
  if (bytes === undefined) return undefined;
  try {
    return parseDbc(bytes, { file: path });
  } catch (error) {
    problems.push({ at, expected: "a DBC file that parses", found: (error as Error).message });
    return undefined;
  }
}
