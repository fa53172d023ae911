import { Command, CommanderError } from "commander";
import { createLogger } from "./logger.js";
import { UsageError } from "./UsageError.js";

const program = new Command("roadrig")
  .description("Edge and device runtime for vehicles and HiL rigs")
  .option("--log-level <level>", "trace, debug, info, warn, error", "info")
  .option("--log-format <format>", "json or pretty (default: pretty on a terminal)")
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const { registerCommands } = await import("./commands.js");
registerCommands(program);

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
  const opts = program.opts<{ logLevel: string; logFormat?: "json" | "pretty" }>();
  const log = createLogger({
    level: opts.logLevel,
    ...(opts.logFormat ? { format: opts.logFormat } : {}),
  });
  log.error({ err }, err instanceof Error ? err.message : String(err));
  return 1;
}
