import type { Command } from "commander";
import { registerAgentCommand } from "./agentCommand.js";
import { registerCacheCommand } from "./cacheCommand.js";
import { registerDbcCommand } from "./dbcCommand.js";
import { registerDemoCommand } from "./demoCommand.js";
import { registerInspectCommand } from "./inspectCommand.js";
import { registerReplayCommand } from "./replayCommand.js";
import { registerShadowCommand } from "./shadowCommand.js";
import { registerTelemetryCommand } from "./telemetryCommand.js";

/** Adds every subcommand to the program. */
export function registerCommands(program: Command): void {
  program
    .command("version")
    .description("print the version")
    .action(() => {
      process.stdout.write("roadrig 0.1.0\n");
    });
  registerReplayCommand(program);
  registerInspectCommand(program);
  registerDemoCommand(program);
  registerDbcCommand(program);
  registerCacheCommand(program);
  registerAgentCommand(program);
  registerShadowCommand(program);
  registerTelemetryCommand(program);
}
