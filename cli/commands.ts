import type { Command } from "commander";

/** Adds every subcommand to the program. */
export function registerCommands(program: Command): void {
  program
    .command("version")
    .description("print the version")
    .action(() => {
      process.stdout.write("roadrig 0.1.0\n");
    });
}
