import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShadowClient } from "../../../agent/shadow/ShadowClient.js";
import { MemoryShadowStore } from "../../../agent/shadow/service/MemoryShadowStore.js";
import { ShadowService } from "../../../agent/shadow/service/ShadowService.js";
import { freePort } from "../../../bench/support/freePort.js";
import { buildCli } from "../../cli/cliHarness.js";
import { repoRoot } from "../../support/sharedData.js";
import { startMosquitto, type TestBroker } from "../shadow/service/support/brokers.js";
import { connectNoDelay } from "../shadow/service/support/connectNoDelay.js";

interface Agent {
  readonly child: ChildProcess;
  readonly thing: string;
  readonly health: string;
  readonly config: string;
  log: string;
  readonly exit: Promise<number | null>;
}

let broker: TestBroker;
let dir: string;
let serviceClient: MqttClient;
let appClient: MqttClient;
let service: ShadowService;
let app: ShadowClient;
let agents = 0;

beforeAll(async () => {
  buildCli();
  broker = await startMosquitto();
  dir = await mkdtemp(join(tmpdir(), "roadrig-agent-process-"));
  serviceClient = await connectNoDelay(broker.url);
  service = new ShadowService({ client: serviceClient, store: new MemoryShadowStore() });
  await service.start();
  appClient = await connectNoDelay(broker.url);
  app = new ShadowClient(appClient, { timeoutMs: 5000 });
});

afterAll(async () => {
  app?.close();
  await service?.stop();
  await Promise.all([serviceClient?.endAsync(), appClient?.endAsync()]);
  await broker?.stop();
  await rm(dir, { recursive: true, force: true });
});

function configText(thing: string, port: number, confirmTimeoutMs: number,
  shutdownTimeoutMs: number): string {
  return [
    `thing: ${thing}`,
    `mqtt: { transport: mqtt, url: "${broker.url}" }`,
    "reconnect: { minDelayMs: 20, maxDelayMs: 200 }",
    // No body ECU answers on this bus: every command waits for its confirmation.
    `can: { bus: "virtual:${thing}", channel: can1 }`,
    `confirmTimeoutMs: ${confirmTimeoutMs}`,
    `shutdownTimeoutMs: ${shutdownTimeoutMs}`,
    `health: { host: 127.0.0.1, port: ${port} }`,
    "",
  ].join("\n");
}

/** `roadrig agent --config` from the built dist, resolved once it logged READY's event. */
async function startAgent(confirmTimeoutMs: number, shutdownTimeoutMs: number): Promise<Agent> {
  const thing = `car-process-${process.pid}-${agents++}`;
  const port = await freePort();
  const config = join(dir, `${thing}.yaml`);
  await writeFile(config, configText(thing, port, confirmTimeoutMs, shutdownTimeoutMs));
  const child = spawn(process.execPath, [join(repoRoot, "bin", "roadrig.js"), "agent",
    "--config", config], { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ROADRIG_LOG_LEVEL: "info" } });
  const exit = once(child, "exit").then(([code]) => code as number | null);
  const agent: Agent = { child, thing, config, health: `http://127.0.0.1:${port}`, log: "", exit };
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (agent.log += chunk));
  await Promise.race([logged(agent, "agent ready"), exit.then((code) => {
    throw new Error(`agent exited ${code}:\n${agent.log}`);
  })]);
  return agent;
}

function logged(agent: Agent, message: string): Promise<Record<string, unknown>> {
  const find = () => agent.log.split("\n").filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === message);
  return new Promise((resolve) => {
    const check = () => {
      const line = find();
      if (line === undefined) return;
      agent.child.stderr!.off("data", check);
      resolve(line);
    };
    agent.child.stderr!.on("data", check);
    check();
  });
}

/** Sets door=closed and waits until the agent's command waits for the ECU's confirmation. */
async function commandInFlight(agent: Agent): Promise<void> {
  await app.update(agent.thing, { state: { desired: { door: "closed" } } });
  // /metrics is the agent's only outside view of a pending command; polled, it says when.
  for (;;) {
    const metrics = await (await fetch(`${agent.health}/metrics`)).text();
    if (metrics.includes("\nroadrig_body_commands_waiting 1\n")) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("roadrig agent as a process: shutdown with work in flight, and SIGHUP", () => {
  it("finishes the report whose confirmation is pending on SIGTERM, then exits 0", async () => {
    const agent = await startAgent(1500, 10_000);
    await commandInFlight(agent);
    agent.child.kill("SIGTERM");
    expect(await agent.exit).toBe(0);
    expect(agent.log).toContain('"msg":"agent stopped"');
    const document = await app.get(agent.thing);
    const state = document.state as { reported: { errors: Record<string, { code: string }> } };
    expect(state.reported.errors.door?.code).toBe("timeout");
  });

  it("exits 1 naming the shadow sync when the shutdown outlasts shutdownTimeoutMs", async () => {
    const agent = await startAgent(20_000, 300);
    await commandInFlight(agent);
    agent.child.kill("SIGTERM");
    expect(await agent.exit).toBe(1);
    const cut = await logged(agent, "shutdown cut short");
    expect(cut.cause).toBe("timeout");
    expect(String(cut.cutShort)).toMatch(/^shadow-sync /);
  });

  it("exits 1 at once on a second signal, naming what it cut short", async () => {
    const agent = await startAgent(20_000, 20_000);
    await commandInFlight(agent);
    agent.child.kill("SIGTERM");
    await logged(agent, "stopping component");
    agent.child.kill("SIGINT");
    expect(await agent.exit).toBe(1);
    const cut = await logged(agent, "shutdown cut short");
    expect(cut.cause).toBe("forced");
    expect(String(cut.cutShort)).toMatch(/^shadow-sync /);
  });

  it("on SIGHUP names the changed keys that need a restart, and keeps an invalid file out",
    async () => {
      const agent = await startAgent(1500, 10_000);
      await writeFile(agent.config, configText(agent.thing, 1, 2500, 10_000));
      agent.child.kill("SIGHUP");
      const reloaded = await logged(agent,
        "configuration reloaded; changes that need a restart were not applied");
      expect(reloaded.needRestart).toEqual(["confirmTimeoutMs", "health.port"]);
      expect(reloaded.applied).toEqual([]);

      await writeFile(agent.config, "thing: [not, a, name]\n");
      agent.child.kill("SIGHUP");
      const failed = await logged(agent, "reload failed; the running configuration stays");
      // The problems, at their line, without a stack trace.
      expect(String(failed.problems)).toContain("thing (line 1:8)");
      expect(failed.err).toBeUndefined();
      expect((await fetch(`${agent.health}/readyz`)).status).toBe(200);
      agent.child.kill("SIGTERM");
      expect(await agent.exit).toBe(0);
    });

  it("on SIGHUP applies logLevel in place, beside a change that waits for a restart",
    async () => {
      const agent = await startAgent(1500, 10_000);
      const port = Number(new URL(agent.health).port);
      await writeFile(agent.config, `${configText(agent.thing, port, 2500, 10_000)}logLevel: warn\n`);
      agent.child.kill("SIGHUP");
      const reloaded = await logged(agent,
        "configuration reloaded; changes that need a restart were not applied");
      expect(reloaded.applied).toEqual(["logLevel"]);
      expect(reloaded.needRestart).toEqual(["confirmTimeoutMs"]);
      // Logged at warn, the level now in force.
      expect(reloaded.level).toBe(40);
      const from = agent.log.indexOf('"msg":"configuration reloaded');
      agent.child.kill("SIGTERM");
      expect(await agent.exit).toBe(0);
      // "agent stopping" and "agent stopped" are info lines: at warn they are not written.
      const after = agent.log.slice(from).split("\n").slice(1).filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { level: number; msg: string });
      expect(after.filter((l) => l.level < 40)).toEqual([]);
      expect(agent.log).not.toContain('"msg":"agent stopped"');
    });

  it("starts at the file's logLevel when --log-level is not given", async () => {
    const thing = `car-process-${process.pid}-${agents++}`;
    const config = join(dir, `${thing}.yaml`);
    await writeFile(config, `${configText(thing, 0, 1500, 10_000)}logLevel: warn\n`);
    const child = spawn(process.execPath, [join(repoRoot, "bin", "roadrig.js"), "agent",
      "--config", config], { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, ROADRIG_LOG_LEVEL: "info" } });
    let log = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
    const exit = once(child, "exit");
    // The shadow read is the agent's last start-up step; the app sees it as a version.
    await app.update(thing, { state: { desired: { door: "open" } } });
    for (;;) {
      const document = await app.get(thing).catch(() => undefined);
      const errors = (document?.state as { reported?: { errors?: object } } | undefined)
        ?.reported?.errors;
      if (errors !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGTERM");
    await exit;
    const lines = log.split("\n").filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines.some((l) => l.msg === "desired value refused")).toBe(true);
    expect(lines.filter((l) => l.level < 40)).toEqual([]);
  });
});
