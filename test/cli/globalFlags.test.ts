import { describe, expect, it } from "vitest";
import { roadrig } from "./cliHarness.js";

describe("roadrig's global flags", () => {
  it("refuses a --log-format it does not know as wrong usage, naming the choices", async () => {
    const r = await roadrig(["--log-format", "text", "cache", "plan", "--help"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument 'text' is invalid. Allowed choices are json, pretty.");
  });

  it("refuses a --log-level it does not know as wrong usage, naming the choices", async () => {
    const r = await roadrig(["--log-level", "loud", "cache", "plan", "--help"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument 'loud' is invalid. Allowed choices are trace, debug");
  });

  it("takes the known values", async () => {
    const r = await roadrig(["--log-format", "json", "--log-level", "warn", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--log-format <format>");
  });
});
