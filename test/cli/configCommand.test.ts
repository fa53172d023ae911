import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../support/sharedData.js";
import { buildCli, roadrig } from "./cliHarness.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-config-cli-"));
beforeAll(buildCli, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const example = (name: string) => join(repoRoot, "config", "examples", name);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const BAD = `thing: car-1
mqtt: { transport: mqtt, url: "mqtt://127.0.0.1:1883", pasword: hunter2 }
requestTimeoutMs: -1
`;

describe("roadrig config check", () => {
  it("says a valid file is valid in one line, exit 0", async () => {
    const result = await roadrig(["config", "check", example("rig.yaml")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${example("rig.yaml")}: valid agent configuration `
      + "(thing rig-07-dut, telemetry 1 stream(s) to 1 sink(s))\n");
  });

  it("lists every problem with its place, exit 1", async () => {
    const path = file("bad.yaml", BAD);
    const result = await roadrig(["config", "check", path]);
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split("\n")).toEqual([
      `${path}: mqtt.pasword (line 2:56): expected one of transport, url, clientId, cert, key, `
        + 'ca, found unknown key "pasword"',
      `${path}: requestTimeoutMs (line 3:19): expected an integer >= 1, found number -1`,
    ]);
    expect(result.stderr).toContain("2 problem(s)");
  });

  it("marks missing files, and leaves them out with --no-files", async () => {
    const withFiles = await roadrig(["config", "check", example("tcu.yaml")]);
    expect(withFiles.code).toBe(1);
    expect(withFiles.stdout).toContain("mqtt.key (line 11:8) [file]: expected a readable file");
    const without = await roadrig(["config", "check", "--no-files", example("tcu.yaml")]);
    expect(without.code).toBe(0);
  });

  it("--print shows the effective configuration with overrides applied and secrets hidden",
    async () => {
      const result = await roadrig(["config", "check", "--no-files", "--print",
        example("tcu.yaml")], { ROADRIG_AGENT__REQUEST_TIMEOUT_MS: "7000" });
      expect(result.code).toBe(0);
      const printed = parse(result.stdout) as {
        requestTimeoutMs: number;
        confirmTimeoutMs: number;
        mqtt: { key: string };
        telemetry: { sinks: { keyPath: string }[]; identity: { hashSalt: string } };
      };
      expect(printed.requestTimeoutMs).toBe(7000);
      expect(printed.confirmTimeoutMs).toBe(3000);
      expect(printed.mqtt.key).toBe("[redacted]");
      expect(printed.telemetry.sinks[0]?.keyPath).toBe("[redacted]");
      expect(printed.telemetry.identity.hashSalt).toBe("[redacted]");
      expect(result.stdout).not.toContain("change-me-per-fleet");
      expect(result.stdout).not.toContain("private.pem.key");
      expect(result.stderr).toContain("valid agent configuration");
    });

  it("checks a replay profiles file, detected or named with --kind", async () => {
    const detected = await roadrig(["config", "check", example("replay-profiles.yaml")]);
    expect(detected.stdout).toContain("valid replay-profiles configuration "
      + "(profiles: hil-nightly, quick-look)");
    const forced = await roadrig(["config", "check", "--kind", "agent",
      example("replay-profiles.yaml")]);
    expect(forced.code).toBe(1);
    expect(forced.stdout).toContain('profiles (line 3:1): expected one of thing, shadowName');
    expect(forced.stdout).toContain("thing (line 3:1): expected a string, found nothing");
  });

  it("is a usage error for a file that is not there", async () => {
    const result = await roadrig(["config", "check", join(dir, "none.yaml")]);
    expect(result.code).toBe(2);
  });
});

describe("roadrig agent --config", () => {
  it("does not start with a bad configuration, and lists its problems", async () => {
    const result = await roadrig(["agent", "--config", file("agent-bad.yaml", BAD)],
      { ROADRIG_LOG_FORMAT: "json" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("mqtt.pasword (line 2:56)");
    expect(result.stderr).toContain("requestTimeoutMs (line 3:19)");
    expect(result.stderr).not.toContain("hunter2");
  });
});

const LOG = [
  "(1700000000.000000) can0 123#0102",
  "(1700000000.010000) can0 456#03",
].join("\n") + "\n";

describe("roadrig replay --profile", () => {
  const profiles = () => file("profiles.yaml", `profiles:
  to-file:
    to: candump:-
    rate: 0
    idFilter: ["123"]
    results: bundles
`);

  it("takes its flags from the profile, paths relative to the profiles file", async () => {
    const log = file("p.log", LOG);
    const result = await roadrig(["replay", log, "--profiles", profiles(),
      "--profile", "to-file"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${LOG.split("\n")[0]}\n`);
    expect(readdirSync(join(dir, "bundles"))).toHaveLength(1);
  });

  it("lets flags on the command line win over the profile", async () => {
    const log = file("q.log", LOG);
    const result = await roadrig(["replay", log, "--profile", "to-file", "--id-filter", "456",
      "--to", "candump:-"], { ROADRIG_REPLAY_PROFILES: profiles() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("(1700000000.010000) can0 456#03\n");
    expect(result.stdout).not.toContain("123#0102");
  });

  it("names the profiles the file has when the one asked for is not there", async () => {
    const result = await roadrig(["replay", file("r.log", LOG), "--profiles", profiles(),
      "--profile", "nope"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no such profile (it has: to-file)");
  });
});
