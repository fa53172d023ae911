import type { Command } from "commander";

type Register = (program: Command) => void;

/**
 * Every subcommand, loaded on demand: a run loads only the modules of the command it runs, so
 * that the long-running agent does not carry the replayer's S3 client and readers in memory,
 * and short commands start faster.
 */
const commands: Record<string, () => Promise<Register>> = {
  replay: async () => (await import("./replayCommand.js")).registerReplayCommand,
  inspect: async () => (await import("./inspectCommand.js")).registerInspectCommand,
  demo: async () => (await import("./demoCommand.js")).registerDemoCommand,
  dbc: async () => (await import("./dbcCommand.js")).registerDbcCommand,
  cache: async () => (await import("./cacheCommand.js")).registerCacheCommand,
  agent: async () => (await import("./agentCommand.js")).registerAgentCommand,
  shadow: async () => (await import("./shadowCommand.js")).registerShadowCommand,
  telemetry: async () => (await import("./telemetryCommand.js")).registerTelemetryCommand,
  config: async () => (await import("./configCommand.js")).registerConfigCommand,
};

/** Global options that take a value, skipped when looking for the command's name. */
const GLOBAL_WITH_VALUE = new Set(["--log-level", "--log-format"]);

/**
 * Adds the subcommand named on the command line, or every subcommand when none is named (help,
 * a mistyped name).
 */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  program
    .command("version")
    .description("print the version")
    .action(() => {
      process.stdout.write("roadrig 0.1.0\n");
    });
  const named = commandName(argv);
  if (named === "version") return;
  const load = named === undefined ? undefined : commands[named];
  const loaders = load ? [load] : Object.values(commands);
  for (const loader of loaders) (await loader())(program);
}

/** The subcommand named on the command line (`roadrig [global options] NAME ...`), if any. */
export function commandName(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (GLOBAL_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return undefined;
}
