import type { Command } from "commander";
import { dirname, resolve } from "node:path";
import type { ReplayFlags } from "../replayCommand.js";
import { UsageError } from "../UsageError.js";

/** The variable naming the profiles file when `--profiles` is not given. */
export const PROFILES_ENV = "ROADRIG_REPLAY_PROFILES";

const LISTS = new Set(["to", "offset", "channel", "idFilter", "map", "capture",
  "captureFilter"]);
const BOOLEANS = new Set(["json", "progress"]);
/** Paths taken relative to the profiles file (cacheDir is resolved by the schema). */
const PATHS = new Set(["captureFile", "results"]);

/**
 * Fills the flags of `roadrig replay` from `--profile NAME` of `--profiles FILE` (or
 * ROADRIG_REPLAY_PROFILES). A flag given on the command line wins over the profile; the
 * profiles file is checked like any configuration, every problem listed.
 */
export async function applyReplayProfile(
  flags: ReplayFlags,
  command: Command,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  const { profile, profiles } = command.opts<{ profile?: string; profiles?: string }>();
  const file = profiles ?? env[PROFILES_ENV];
  if (profile === undefined) {
    if (profiles !== undefined) throw new UsageError("--profiles: give --profile NAME too");
    return;
  }
  if (file === undefined || file === "") {
    throw new UsageError(`--profile ${profile}: give --profiles FILE (or ${PROFILES_ENV})`);
  }
  const values = await readProfile(file, profile);
  const target = flags as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(values)) {
    if (command.getOptionValueSource(key) === "cli") continue;
    target[key] = flagValue(key, value, dirname(file));
  }
}

/** The configuration checker (its schemas, the DBC parser) loads only when a profile is used. */
async function readProfile(file: string, name: string): Promise<Record<string, unknown>> {
  const { checkConfigFile } = await import("../../config/checkConfigFile.js");
  const { ConfigError } = await import("../../config/ConfigError.js");
  const checked = await checkConfigFile(file, { kind: "replay-profiles", files: false })
    .catch((err: unknown) => {
      if ((err as { code?: unknown }).code === "ENOENT") {
        throw new UsageError(`--profiles ${file}: no such file`);
      }
      throw err;
    });
  if (checked.problems.length > 0) throw new ConfigError(file, checked.problems);
  const all = (checked.value.profiles ?? {}) as Record<string, Record<string, unknown>>;
  const found = Object.hasOwn(all, name) ? all[name] : undefined;
  if (found === undefined) {
    const names = Object.keys(all).join(", ") || "none";
    throw new UsageError(`--profile ${name}: ${file} has no such profile (it has: ${names})`);
  }
  return found;
}

/** The value as commander would have left it: strings, lists of strings, booleans. */
function flagValue(key: string, value: unknown, base: string): unknown {
  if (BOOLEANS.has(key)) return value;
  if (LISTS.has(key)) return (Array.isArray(value) ? value : [value]).map(String);
  const text = String(value);
  return PATHS.has(key) && !text.includes("://") ? resolve(base, text) : text;
}
