import type { Command } from "commander";
import { stringify } from "yaml";
import { checkConfigFile, schemaFor, type CheckedConfig, type ConfigKind } from "../config/checkConfigFile.js";
import { problemPlace } from "../config/ConfigError.js";
import { redactConfig } from "../config/redactConfig.js";
import { UsageError } from "./UsageError.js";

interface CheckFlags {
  kind?: string;
  print?: boolean;
  files: boolean;
}

const KINDS: readonly ConfigKind[] = ["agent", "replay-profiles"];

/** `roadrig config check <file>`: every problem of a configuration file, or a summary. */
export function registerConfigCommand(program: Command): void {
  const config = program.command("config").description("configuration files");
  config
    .command("check")
    .description("check an agent configuration or a replay profiles file (YAML or JSON)")
    .argument("<file>", "the configuration file")
    .option("--kind <kind>", `${KINDS.join(" or ")} (default: detected from the file)`)
    .option("--print", "print the effective configuration (defaults, ROADRIG_AGENT__* applied; "
      + "secrets redacted)")
    .option("--no-files", "do not check that the files it names exist (another machine's file)")
    .action(async (file: string, flags: CheckFlags) => {
      if (flags.kind !== undefined && !KINDS.includes(flags.kind as ConfigKind)) {
        throw new UsageError(`--kind ${flags.kind}: expected ${KINDS.join(" or ")}`);
      }
      const checked = await checkConfigFile(file, {
        ...(flags.kind === undefined ? {} : { kind: flags.kind as ConfigKind }),
        env: process.env,
        files: flags.files,
      }).catch((err: unknown) => {
        if ((err as { code?: unknown }).code === "ENOENT") {
          throw new UsageError(`${file}: no such file`);
        }
        throw err;
      });
      report(checked, flags);
    });
}

function report(checked: CheckedConfig, flags: CheckFlags): void {
  const { file, problems } = checked;
  if (problems.length > 0) {
    for (const p of problems) {
      const tag = p.kind === "file" ? " [file]" : "";
      process.stdout.write(`${file}: ${problemPlace(p)}${tag}: expected ${p.expected}, `
        + `found ${p.found}\n`);
    }
    process.stderr.write(`${file}: ${problems.length} problem(s)\n`);
    process.exitCode = 1;
    return;
  }
  const line = `${file}: valid ${checked.kind} configuration (${summary(checked)})\n`;
  if (!flags.print) {
    process.stdout.write(line);
    return;
  }
  process.stderr.write(line);
  process.stdout.write(stringify(redactConfig(checked.value, schemaFor(checked.kind))));
}

function summary(checked: CheckedConfig): string {
  const v = checked.value as {
    thing?: string;
    profiles?: Record<string, unknown>;
    telemetry?: { streams: unknown[]; sinks: unknown[] };
  };
  if (checked.kind === "replay-profiles") {
    return `profiles: ${Object.keys(v.profiles ?? {}).join(", ") || "none"}`;
  }
  const t = v.telemetry;
  return `thing ${v.thing ?? "?"}, telemetry ${t === undefined ? "off"
    : `${t.streams.length} stream(s) to ${t.sinks.length} sink(s)`}`;
}
