import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { changedKeys } from "../../agent/service/changedKeys.js";
import { freePort } from "../../bench/support/freePort.js";
import { MemoryShadowStore } from "../../agent/shadow/service/MemoryShadowStore.js";
import { ShadowService } from "../../agent/shadow/service/ShadowService.js";
import { buildCli } from "../cli/cliHarness.js";
import { TlsMosquitto } from "../agent/support/TlsMosquitto.js";
import { repoRoot } from "../support/sharedData.js";
import { configurationKeys, interpolate, readRecipe, type Recipe } from "./support/greengrassRecipe.js";
import { runUntilLogged } from "./support/runUntilLogged.js";

describe("Greengrass recipe", () => {
  let recipe: Recipe;
  beforeAll(async () => {
    recipe = await readRecipe();
  });

  it("names a 2020-01-25 recipe of a versioned component with a Linux manifest", () => {
    expect(recipe.RecipeFormatVersion).toBe("2020-01-25");
    expect(recipe.ComponentName).toBe("com.roadrig.Agent");
    expect(recipe.ComponentVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(recipe.Manifests.map((m) => m.Platform.os)).toEqual(["linux"]);
  });

  it("unarchives one ZIP artifact named after the folder the lifecycle runs from", () => {
    const [manifest] = recipe.Manifests;
    expect(manifest!.Artifacts).toHaveLength(1);
    const artifact = manifest!.Artifacts[0]!;
    expect(artifact.Unarchive).toBe("ZIP");
    expect(artifact.URI).toMatch(new RegExp(
      `^s3://[^/]+/${recipe.ComponentName}/${recipe.ComponentVersion}/roadrig-agent\\.zip$`));
    for (const step of [manifest!.Lifecycle.Install, manifest!.Lifecycle.Run]) {
      expect(step.Script).toContain("{artifacts:decompressedPath}/roadrig-agent/");
      expect(step.RequiresPrivilege).toBe(false);
    }
  });

  it("maps every default configuration key onto the agent, and uses no undefined one", () => {
    const defaults = Object.keys(recipe.ComponentConfiguration.DefaultConfiguration).sort();
    expect(configurationKeys(recipe).sort()).toEqual(defaults);
  });
});

/**
 * Where each Setenv variable must land in the agent's configuration, and a deployment value
 * unlike greengrass/agent.yaml's, so that the variable visibly changes it.
 */
const LANDS_AT: Record<string, string> = {
  ROADRIG_AGENT__THING: "thing",
  ROADRIG_AGENT__SHADOW_NAME: "shadowName",
  ROADRIG_AGENT__MQTT__ENDPOINT: "mqtt.endpoint",
  ROADRIG_AGENT__MQTT__PORT: "mqtt.port",
  ROADRIG_AGENT__MQTT__CLIENT_ID: "mqtt.clientId",
  ROADRIG_AGENT__MQTT__CERT: "mqtt.cert",
  ROADRIG_AGENT__MQTT__KEY: "mqtt.key",
  ROADRIG_AGENT__MQTT__CA: "mqtt.ca",
  ROADRIG_AGENT__CAN__BUS: "can.bus",
  ROADRIG_AGENT__CAN__CHANNEL: "can.channel",
  ROADRIG_AGENT__HEALTH__PORT: "health.port",
  ROADRIG_AGENT__SHUTDOWN_TIMEOUT_MS: "shutdownTimeoutMs",
  ROADRIG_AGENT__DBC: "dbc",
  ROADRIG_AGENT__LOG_LEVEL: "logLevel",
};

const DEPLOYED = {
  endpoint: "a1b2c3-ats.iot.eu-west-1.amazonaws.com", mqttPort: 443,
  certPath: "/var/roadrig/pki/device.crt", keyPath: "/var/roadrig/pki/device.key",
  caPath: "/var/roadrig/pki/ca.pem", shadowName: "body-v2", canBus: "socketcan:can3",
  canChannel: "can3", dbcPath: "/var/roadrig/vehicle.dbc", healthPort: 9999,
  shutdownTimeoutMs: 15000, logLevel: "debug",
};

const AGENT_YAML = "deploy/greengrass/agent.yaml";

function configCheck(env: Record<string, string>, flags: string[]) {
  // Only the recipe's variables: none of the test runner's own ROADRIG_* leak in.
  const base = Object.fromEntries(Object.entries(process.env)
    .filter(([name]) => !name.startsWith("ROADRIG_")));
  return spawnSync(process.execPath, [join(repoRoot, "bin", "roadrig.js"), "config", "check",
    ...flags, AGENT_YAML], { cwd: repoRoot, env: { ...base, ...env }, encoding: "utf8" });
}

function effective(env: Record<string, string>): unknown {
  const run = configCheck(env, ["--print", "--no-files"]);
  expect(run.status, run.stdout + run.stderr).toBe(0);
  return parse(run.stdout) as unknown;
}

function at(root: unknown, dotted: string): unknown {
  return dotted.split(".").reduce((v, k) => (v as Record<string, unknown>)[k], root);
}

describe("Greengrass recipe's environment, against the agent's override scheme", () => {
  let setenv: Record<string, string>;
  beforeAll(async () => {
    buildCli();
    const recipe = await readRecipe();
    const context = { decompressedPath: "/greengrass/v2/packages/artifacts-unarchived",
      thingName: "gg-car-7", configuration: { ...recipe.ComponentConfiguration
        .DefaultConfiguration, ...DEPLOYED } };
    setenv = Object.fromEntries(Object.entries(recipe.Manifests[0]!.Lifecycle.Setenv)
      .map(([name, value]) => [name, interpolate(value, context)]));
  });

  it("sets only ROADRIG_AGENT__* variables, each one of the list above", () => {
    expect(Object.keys(setenv).sort()).toEqual(Object.keys(LANDS_AT).sort());
    // run.sh passes them on as they are, and sets none of its own.
    const runSh = readFileSync(join(repoRoot, "deploy/greengrass/run.sh"), "utf8");
    const code = runSh.split("\n").filter((line) => !line.trimStart().startsWith("#"));
    expect(code.join("\n")).not.toMatch(/\b(export|unset)\b|ROADRIG_\w*=/);
  });

  it("changes the effective configuration with each variable, at its key", () => {
    const before = effective({});
    for (const [variable, value] of Object.entries(setenv)) {
      const key = LANDS_AT[variable]!;
      if (key === "mqtt.key") continue;
      const after = effective({ [variable]: value });
      expect(changedKeys(before, after), variable).toEqual([key]);
      expect(String(at(after, key)), variable).toBe(value);
    }
  });

  it("changes the key path too, which --print redacts: the file check names it", () => {
    const run = configCheck({ ROADRIG_AGENT__MQTT__KEY: setenv.ROADRIG_AGENT__MQTT__KEY! }, []);
    expect(run.stdout).toContain(`mqtt.key (ROADRIG_AGENT__MQTT__KEY) [file]: expected a readable `
      + `file, found none at ${DEPLOYED.keyPath}`);
  });
});

describe("Greengrass component, from the built archive, run as the recipe's steps run it", () => {
  let broker: TlsMosquitto;
  let work: string;
  let shadow: ShadowService;
  let shadowClient: Awaited<ReturnType<TlsMosquitto["connect"]>>;

  beforeAll(async () => {
    buildCli();
    broker = await TlsMosquitto.start("gg-core-roadrig");
    shadowClient = await broker.connect({ clientId: "shadow-service" });
    shadow = new ShadowService({ client: shadowClient, store: new MemoryShadowStore() });
    await shadow.start();
    work = await mkdtemp(join(tmpdir(), "roadrig-greengrass-"));
  });

  afterAll(async () => {
    await shadow?.stop();
    await shadowClient?.endAsync();
    await broker?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("installs (configuration checked), runs until ready and healthy, stops on SIGTERM",
    async () => {
      const zip = join(work, "roadrig-agent.zip");
      const built = spawnSync("sh", ["deploy/greengrass/build-artifact.sh", zip],
        { cwd: repoRoot, encoding: "utf8" });
      expect(built.status, built.stderr).toBe(0);
      const decompressed = join(work, "artifacts-unarchived", "com.roadrig.Agent", "0.1.0");
      await mkdir(decompressed, { recursive: true });
      const unzip = spawnSync("unzip", ["-q", zip, "-d", decompressed], { encoding: "utf8" });
      expect(unzip.status, unzip.stderr).toBe(0);
      expect(existsSync(join(decompressed, "roadrig-agent", "node_modules", "vitest"))).toBe(false);

      const recipe = await readRecipe();
      const healthPort = await freePort();
      // The deployment's configuration merge for this core device: the test's broker and bus.
      const configuration = { ...recipe.ComponentConfiguration.DefaultConfiguration,
        endpoint: "127.0.0.1", mqttPort: broker.port, certPath: broker.pki.clientCert,
        keyPath: broker.pki.clientKey, caPath: broker.pki.ca, canBus: "virtual:gg-body",
        canChannel: "can1", healthPort };
      const context = { decompressedPath: decompressed, thingName: "gg-core", configuration };
      const lifecycle = recipe.Manifests[0]!.Lifecycle;
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: work };
      for (const [name, value] of Object.entries(lifecycle.Setenv)) {
        env[name] = interpolate(value, context);
      }

      const install = spawnSync("sh", ["-c", interpolate(lifecycle.Install.Script, context)],
        { cwd: work, env, encoding: "utf8" });
      expect(install.status, install.stderr).toBe(0);
      expect(install.stdout).toContain("valid agent configuration (thing gg-core");

      const run = await runUntilLogged("sh", ["-c", interpolate(lifecycle.Run.Script, context)],
        { cwd: work, env }, "agent ready");
      const health = `http://127.0.0.1:${healthPort}`;
      expect((await fetch(`${health}/healthz`)).status).toBe(200);
      expect((await fetch(`${health}/readyz`)).status).toBe(200);
      expect(run.log()).toContain('"broker":"127.0.0.1:' + broker.port + '"');
      run.child.kill("SIGTERM");
      expect(await run.exit, run.log()).toBe(0);
      expect(run.log()).toContain('"msg":"agent stopped"');
    }, 120_000);
});
