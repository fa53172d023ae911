import type { AgentConfig } from "./AgentConfig.js";
import { checkConfigFile } from "./checkConfigFile.js";
import { ConfigError } from "./ConfigError.js";
import { defaultAgentConfig } from "./defaultAgentConfig.js";
import { sampleBodyMap } from "./sampleBodyMap.js";

/**
 * Reads an agent configuration (YAML, or JSON, which is YAML), with the `ROADRIG_AGENT__...`
 * variables of `env` applied over it. Paths are relative to the file; `body: "sample"` (or no
 * body) is the sample vehicle's map. Throws ConfigError with every problem found.
 */
export async function loadAgentConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<AgentConfig> {
  const checked = await checkConfigFile(file, { kind: "agent", env });
  if (checked.problems.length > 0) throw new ConfigError(file, checked.problems);
  return toAgentConfig(checked.value);
}

/** The checked value as the agent takes it: built-in defaults named by the file resolved. */
export function toAgentConfig(value: Record<string, unknown>): AgentConfig {
  const config = value as unknown as AgentConfig & { body: AgentConfig["body"] | "sample" };
  return {
    ...config,
    dbc: config.dbc ?? defaultAgentConfig().dbc,
    body: config.body === "sample" ? sampleBodyMap : config.body,
  };
}
