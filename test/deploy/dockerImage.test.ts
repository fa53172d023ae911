import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { chmod, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { freePort } from "../../bench/support/freePort.js";
import { buildCli } from "../cli/cliHarness.js";
import { repoRoot } from "../support/sharedData.js";
import { runUntilLogged } from "./support/runUntilLogged.js";

interface Dockerfile {
  readonly stages: { from: string; lines: string[] }[];
}

function readDockerfile(text: string): Dockerfile {
  // Continuation lines joined, comments dropped: one instruction per entry.
  const instructions = text.replace(/\\\n/g, " ").split("\n")
    .map((l) => l.trim().replace(/\s+/g, " ")).filter((l) => l !== "" && !l.startsWith("#"));
  const stages: Dockerfile["stages"] = [];
  for (const line of instructions) {
    if (line.startsWith("FROM ")) stages.push({ from: line.slice(5), lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return { stages };
}

/** The ENTRYPOINT, from its exec form. */
function entrypoint(stage: { lines: string[] }): string[] {
  const line = stage.lines.find((l) => l.startsWith("ENTRYPOINT "))!;
  return JSON.parse(line.slice("ENTRYPOINT ".length)) as string[];
}

/** The HEALTHCHECK's command, from its exec form. */
function healthcheckCommand(stage: { lines: string[] }): string[] {
  const line = stage.lines.find((l) => l.startsWith("HEALTHCHECK "))!;
  return JSON.parse(line.slice(line.indexOf("CMD ") + 4)) as string[];
}

describe("Dockerfile and compose file", () => {
  let dockerfile: Dockerfile;
  beforeAll(async () => {
    dockerfile = readDockerfile(await readFile(join(repoRoot, "Dockerfile"), "utf8"));
  });

  it("builds in a full stage through build-steps.sh and runs on node:20-bookworm-slim", () => {
    expect(dockerfile.stages.map((s) => s.from)).toEqual(
      ["node:20-bookworm AS build", "node:20-bookworm-slim AS runtime"]);
    const [build, runtime] = dockerfile.stages;
    expect(build!.lines.filter((l) => l.startsWith("RUN "))).toEqual([
      "RUN sh deploy/docker/build-steps.sh build && sh deploy/docker/build-steps.sh runtime " +
      "/opt/roadrig",
    ]);
    expect(runtime!.lines).toContain("COPY --from=build /opt/roadrig /opt/roadrig");
    expect(runtime!.lines).toContain("USER roadrig");
  });

  it("checks health with node, not curl", () => {
    const command = healthcheckCommand(dockerfile.stages[1]!);
    expect(command[0]).toBe("node");
    expect(command.join(" ")).toContain("/healthz");
    expect(dockerfile.stages[1]!.lines.join("\n")).not.toMatch(/curl|wget/);
  });

  it("composes Mosquitto, the agent and the replayer, the agent with a stop grace", async () => {
    const compose = parse(await readFile(join(repoRoot, "compose.yaml"), "utf8")) as {
      services: Record<string, { stop_grace_period?: string; image?: string }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(["agent", "mosquitto", "replayer"]);
    expect(compose.services.agent!.stop_grace_period).toBe("20s");
    expect(compose.services.mosquitto!.image).toMatch(/^eclipse-mosquitto:/);
  });
});

describe("the container's entry point", () => {
  let bin: string;
  beforeAll(async () => {
    // A `node` that prints the arguments it was given, first on the PATH.
    bin = await mkdtemp(join(tmpdir(), "roadrig-entry-"));
    await writeFile(join(bin, "node"), "#!/bin/sh\necho \"$@\"\n");
    await chmod(join(bin, "node"), 0o755);
  });
  afterAll(async () => {
    if (bin) await rm(bin, { recursive: true, force: true });
  });

  const run = (...args: string[]) => {
    const done = spawnSync("sh", [join(repoRoot, "bin", "docker-entrypoint.sh"), ...args],
      { env: { PATH: `${bin}:${process.env.PATH ?? ""}` }, encoding: "utf8" });
    expect(done.status, done.stderr).toBe(0);
    return done.stdout.trim();
  };
  const script = join(repoRoot, "bin", "roadrig.js");

  it("gives the agent its V8 flags, global options before the command or not", () => {
    expect(run("agent", "--config", "/etc/roadrig/agent.yaml"))
      .toBe(`--max-semi-space-size=2 ${script} agent --config /etc/roadrig/agent.yaml`);
    expect(run("--log-level", "debug", "agent"))
      .toBe(`--max-semi-space-size=2 ${script} --log-level debug agent`);
  });

  it("runs every other command without them (a replay at full speed)", () => {
    expect(run("replay", "s3://logs/a.mf4", "--to", "virtual:x"))
      .toBe(`${script} replay s3://logs/a.mf4 --to virtual:x`);
    // "agent" as a global option's value is not the command.
    expect(run("--log-format", "json", "replay", "agent.log")).toBe(
      `${script} --log-format json replay agent.log`);
    expect(run("--log-level", "agent", "replay", "x.log")).toBe(
      `${script} --log-level agent replay x.log`);
    expect(run()).toBe(script);
  });
});

describe("the image's runtime step, run into a temporary folder (CI has no Docker engine)", () => {
  let out: string;
  beforeAll(async () => {
    // The build step is `npm ci` and `npm run build`, which CI itself runs before the tests.
    buildCli();
    out = await mkdtemp(join(tmpdir(), "roadrig-image-"));
  });
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("copies production modules with their addons built, and no development tools", () => {
    const runtime = spawnSync("sh", ["deploy/docker/build-steps.sh", "runtime", join(out, "opt")],
      { cwd: repoRoot, encoding: "utf8" });
    expect(runtime.status, runtime.stderr).toBe(0);
    const modules = join(out, "opt", "node_modules");
    for (const dev of ["vitest", "typescript", "eslint", "s3rver", "fast-check"]) {
      expect(existsSync(join(modules, dev)), dev).toBe(false);
    }
    for (const addon of ["unix-dgram/build/Release/unix_dgram.node",
      "socketcan/build/Release/can.node",
      "node-rdkafka/build/Release/node-librdkafka.node"]) {
      expect(existsSync(join(modules, addon)), addon).toBe(true);
    }
    expect(existsSync(join(out, "opt", "config", "dbc", "roadrig-sample.dbc"))).toBe(true);
  });

  it("starts the agent from the runtime tree through the ENTRYPOINT; the HEALTHCHECK passes, " +
    "then fails once stopped", async () => {
      const dockerfile = readDockerfile(await readFile(join(repoRoot, "Dockerfile"), "utf8"));
      const [command, ...args] = healthcheckCommand(dockerfile.stages[1]!);
      // The image's tree is /opt/roadrig; here it is the temporary folder's opt.
      const [shell, ...entry] = entrypoint(dockerfile.stages[1]!)
        .map((a) => a.replace("/opt/roadrig", join(out, "opt")));
      const healthPort = String(await freePort());
      const env = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
        ROADRIG_HEALTH_PORT: healthPort };
      const agent = await runUntilLogged(shell!, [...entry,
        "agent", "--port", String(await freePort()), "--health-port", healthPort,
        "--state-dir", join(out, "state")], { cwd: out, env }, "agent ready");
      const healthy = spawnSync(command!, args, { env, encoding: "utf8" });
      expect(healthy.status, healthy.stderr).toBe(0);
      agent.child.kill("SIGTERM");
      expect(await agent.exit).toBe(0);
      const stopped = spawnSync(command!, args, { env, encoding: "utf8" });
      expect(stopped.status).toBe(1);
    });
});
