import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AGENT_V8_FLAGS } from "../../../agent/telemetry/agentV8Flags.js";
import { repoRoot } from "../../support/sharedData.js";

const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");

/** The node arguments before the script, in each production launch of the agent. */
const launches: Record<string, () => string[]> = {
  "systemd unit": () => {
    const line = read("deploy/systemd/roadrig-agent.service").split("\n")
      .find((l) => l.startsWith("ExecStart=")) ?? "";
    return before(line.slice("ExecStart=".length).split(/\s+/), /roadrig\.js$/);
  },
  "Greengrass run step": () => {
    const line = read("deploy/greengrass/run.sh").split("\n")
      .find((l) => /^\s*agent\)/.test(l)) ?? "";
    return before(line.split(/\s+/), /roadrig\.js"?$/);
  },
  "container entry point": () => {
    const line = read("bin/docker-entrypoint.sh").split("\n")
      .find((l) => /^\s*agent\)/.test(l)) ?? "";
    return before(line.split(/\s+/), /roadrig\.js"?$/);
  },
};

function before(argv: string[], script: RegExp): string[] {
  const at = argv.findIndex((a) => script.test(a));
  if (at < 0) throw new Error(`expected the agent's script, found ${argv.join(" ")}`);
  return argv.slice(0, at);
}

describe("agent V8 flags", () => {
  for (const [where, argv] of Object.entries(launches)) {
    it(`are passed to node by the ${where}`, () => {
      expect(argv()).toEqual(expect.arrayContaining([...AGENT_V8_FLAGS]));
    });
  }
});
