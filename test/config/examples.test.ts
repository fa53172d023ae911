import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkConfigFile } from "../../config/checkConfigFile.js";
import { defaultAgentConfig } from "../../config/defaultAgentConfig.js";
import { repoRoot } from "../support/sharedData.js";

const examples = join(repoRoot, "config", "examples");
const sampleDbc = defaultAgentConfig().dbc;

describe("config/examples", () => {
  it.each(readdirSync(examples))("%s has no problem (its files live on another machine)",
    async (name) => {
      const checked = await checkConfigFile(join(examples, name), { files: false });
      expect(checked.problems).toEqual([]);
    });

  it("tcu.yaml's body map and trigger are right for the sample vehicle's DBC", async () => {
    const checked = await checkConfigFile(join(examples, "tcu.yaml"), { files: false,
      env: { ROADRIG_AGENT__DBC: sampleDbc } });
    expect(checked.problems).toEqual([]);
    expect(checked.value).toMatchObject({ dbc: sampleDbc,
      telemetry: { buses: ["socketcan:can0", "socketcan:can1"] } });
  });

  it("tcu.yaml names only files a TCU has, and says so when they are not here", async () => {
    const checked = await checkConfigFile(join(examples, "tcu.yaml"));
    expect(checked.problems.length).toBeGreaterThan(0);
    expect(checked.problems.every((p) => p.kind === "file")).toBe(true);
  });

  it("rig.yaml checks its files too: the sample DBC beside it", async () => {
    const checked = await checkConfigFile(join(examples, "rig.yaml"));
    expect(checked.problems).toEqual([]);
    expect(checked.value.dbc).toBe(sampleDbc);
  });

  it("tells the profiles file from the agent configurations", async () => {
    const kinds = await Promise.all(readdirSync(examples).map(async (name) =>
      [name, (await checkConfigFile(join(examples, name), { files: false })).kind]));
    expect(Object.fromEntries(kinds)).toEqual({ "tcu.yaml": "agent", "rig.yaml": "agent",
      "replay-profiles.yaml": "replay-profiles" });
  });
});
