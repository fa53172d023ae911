import { Command, CommanderError, Option } from "commander";
import { FormatError } from "../replay/formats/FormatError.js";
import { createLogger } from "./logger.js";
import { UsageError } from "./UsageError.js";

const program = new Command("roadrig")
  .description("Edge and device runtime for vehicles and HiL rigs")
  .addOption(new Option("--log-level <level>", "how much to log")
    .choices(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"))
  .addOption(new Option("--log-format <format>", "json, or pretty (the default on a terminal)")
    .choices(["json", "pretty"]))
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

// Node prints process warnings (the AWS SDK's notice about future Node versions, for one) as
// free text on stderr, between the log's JSON lines: they go through the logger instead.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  const opts = program.opts<{ logLevel: string; logFormat?: "json" | "pretty" }>();
  createLogger({ level: opts.logLevel, ...(opts.logFormat ? { format: opts.logFormat } : {}) })
    .debug({ warning: { name: warning.name, message: warning.message } }, "node warning");
});

const { registerCommands } = await import("./commands.js");
await registerCommands(program, process.argv);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

/** 0 success, 1 a failed run, 2 wrong usage: the CLI convention users script against. */
function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return 0;
    return 2;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`roadrig: ${err.message}\n`);
    return 2;
  }
  const interrupted = (err as { code?: unknown } | null)?.code === "E_INTERRUPTED";
  const opts = program.opts<{ logLevel: string; logFormat?: "json" | "pretty" }>();
  const log = createLogger({
    level: opts.logLevel,
    ...(opts.logFormat ? { format: opts.logFormat } : {}),
  });
  const message = err instanceof Error ? err.message : String(err);
  // A bad log or a missing file is the user's input, not a bug: its coordinates are in the
  // message, and a stack trace would bury them. Debug level shows the stack anyway.
  const logged = (err as { logged?: unknown } | null)?.logged === true;
  if (logged) {
    // Already said (a signal before a replay with --results began): only the exit remains.
  } else if (isExpected(err) && !log.isLevelEnabled("debug")) log.error({ err: brief(err) }, message);
  else log.error({ err }, message);
  if (interrupted) {
    // What was abandoned (an S3 open between retries) may hold the event loop for seconds:
    // the process ends once what is left to do is done, or shortly after.
    setTimeout(() => process.exit(), 200).unref();
    return (err as { exitCode?: number }).exitCode ?? 130;
  }
  return 1;
}

/**
 * Errors that carry a stable code (format errors, system errors such as ENOENT, S3 read and
 * upload errors) describe the input or the environment; the rest are bugs, shown in full.
 */
function isExpected(err: unknown): err is Error & { code?: unknown } {
  if (err instanceof FormatError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === "string" && code.length > 0;
}

function brief(err: Error & { code?: unknown }): Record<string, unknown> {
  const fields: Record<string, unknown> = { type: err.name, code: err.code };
  if (err instanceof FormatError) {
    // A text format has lines, not byte offsets (-1): `where` names the line then.
    Object.assign(fields, { file: err.file, where: err.where },
      err.offset >= 0 ? { offset: err.offset } : {});
  }
  return fields;
}
