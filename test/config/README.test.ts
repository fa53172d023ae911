import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentSchema } from "../../config/schema/agentSchema.js";
import { replayProfilesSchema } from "../../config/schema/replayProfilesSchema.js";
import { schemaRows, schemaTable } from "../../config/schema/schemaTable.js";
import { repoRoot } from "../support/sharedData.js";

const readme = readFileSync(join(repoRoot, "config", "README.md"), "utf8");

/** The table between a marker comment and the next `<!-- end -->`. */
function section(marker: string): string {
  const start = readme.indexOf(`<!-- ${marker}`);
  const from = readme.indexOf("\n", start) + 1;
  return readme.slice(from, readme.indexOf("<!-- end -->", from)).trim();
}

describe("config/README.md", () => {
  it("documents every agent key as the schema generates it (regenerate with schemaTable)", () => {
    expect(section("agent-keys")).toBe(schemaTable(agentSchema));
  });

  it("documents every replay profile key as the schema generates it", () => {
    expect(section("replay-profiles-keys")).toBe(schemaTable(replayProfilesSchema));
  });

  it("gives every key a meaning and a default or says it is required", () => {
    for (const row of schemaRows(agentSchema)) {
      expect(row.meaning, row.key).not.toBe("");
      expect(row.default, row.key).not.toBe("");
    }
    expect(schemaRows(agentSchema).map((r) => r.key)).toEqual(expect.arrayContaining([
      "telemetry.streams[].signals[].minIntervalMs", "telemetry.streams[].triggers[].when",
      "telemetry.sinks[].properties", "body.fields.<field>.status.values",
      "health.port", "web.brokerUrl", "shutdownTimeoutMs"]));
  });
});
