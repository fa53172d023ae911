/**
 * Shadow round trip bench: the app sets a desired window position through Mosquitto, the agent
 * commands the simulated body ECU (zero actuation time) over the virtual bus and reports the
 * confirmed position; the time from the app's update to the /update/accepted carrying the
 * report, over --commands=1000 sequential commands. Then the agent alone as a process
 * (`roadrig agent --config`, mqtt transport to Mosquitto) left idle for --idle-seconds=10: RSS
 * and CPU.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { connectAsync } from "mqtt";
import type { MqttClient } from "mqtt";
import { SimulatedBodyEcu } from "../agent/body/sim/SimulatedBodyEcu.js";
import { createAgent } from "../agent/createAgent.js";
import { MemoryShadowStore } from "../agent/shadow/service/MemoryShadowStore.js";
import { ShadowService } from "../agent/shadow/service/ShadowService.js";
import { defaultAgentConfig } from "../config/defaultAgentConfig.js";
import { VirtualBus } from "../drivers/can/virtual/VirtualBus.js";
import { parseDbc } from "../drivers/dbc/parseDbc.js";
import type { AgentConfig } from "../config/AgentConfig.js";
import { freePort } from "./support/freePort.js";
import { endProcess, spawnMosquitto, writeMosquittoConfig } from "./support/mosquittoProcess.js";

const GOAL_P99_MS = 20;
const GOAL_RSS_MB = 80;
const GOAL_CPU_PCT = 1;
const THING = "bench-car";

export async function main(args: readonly string[]): Promise<void> {
  const commands = option(args, "commands", 1000);
  const idleSeconds = option(args, "idle-seconds", 10);
  const dir = await mkdtemp(join(tmpdir(), "roadrig-bench-shadow-"));
  const mosquitto = await startMosquitto(dir).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const serviceClient = await connectNoDelay(mosquitto.url);
  const service = new ShadowService({ client: serviceClient, store: new MemoryShadowStore() });
  await service.start();
  try {
    const latencies = await roundTrips(mosquitto.url, commands);
    report("round trip", latencies);
    const idle = await idleAgent(mosquitto.url, dir, idleSeconds);
    process.stdout.write(`agent idle ${idleSeconds} s: RSS ${idle.rssMb.toFixed(1)} MB ` +
      `(goal <= ${GOAL_RSS_MB}), CPU ${idle.cpuPct.toFixed(2)} % of a core ` +
      `(goal <= ${GOAL_CPU_PCT})\n`);
  } finally {
    await service.stop();
    await serviceClient.endAsync();
    await endProcess(mosquitto.child);
    await rm(dir, { recursive: true, force: true });
  }
}

async function roundTrips(url: string, commands: number): Promise<number[]> {
  const config: AgentConfig = { ...withoutEmbedded(defaultAgentConfig()), thing: THING,
    mqtt: { transport: "mqtt", url }, can: { bus: "virtual:bench", channel: "can1" } };
  const parts = await createAgent(config);
  const dbc = parseDbc(await readFile(config.dbc), { file: config.dbc });
  const ecuBus = VirtualBus.endpoint("bench", "ecu");
  const ecu = new SimulatedBodyEcu({ bus: ecuBus, dbc, map: config.body, actuationMs: 0 });
  const synced = new Promise((r) => parts.sync.once("synced", r));
  await parts.agent.start();
  ecu.start();
  await synced;

  const app = await connectNoDelay(url);
  const prefix = `$aws/things/${THING}/shadow/update`;
  await app.subscribeAsync(`${prefix}/accepted`, { qos: 1 });
  let waiting: { value: number; resolve: () => void } | undefined;
  app.on("message", (_topic, payload) => {
    const body = JSON.parse(payload.toString("utf8")) as
      { state?: { reported?: { windowFL?: number } } };
    if (waiting !== undefined && body.state?.reported?.windowFL === waiting.value) {
      waiting.resolve();
    }
  });
  const latencies: number[] = [];
  const warmup = 50;
  for (let i = 0; i < commands + warmup; i++) {
    const value = 10 + (i % 2) * 10;
    const reported = new Promise<void>((resolve) => (waiting = { value, resolve }));
    const start = process.hrtime.bigint();
    await app.publishAsync(prefix, JSON.stringify({ state: { desired: { windowFL: value } },
      clientToken: `bench-${i}` }), { qos: 1 });
    await reported;
    if (i >= warmup) latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  await parts.agent.stop();
  ecu.stop();
  await ecuBus.close();
  await app.endAsync();
  return latencies;
}

function withoutEmbedded(config: AgentConfig): AgentConfig {
  const { embedded: _, ...rest } = config;
  return rest;
}

async function idleAgent(
  url: string,
  dir: string,
  seconds: number,
): Promise<{ rssMb: number; cpuPct: number }> {
  const configFile = join(dir, "agent.json");
  await writeFile(configFile, JSON.stringify({ thing: "idle-car", mqtt: { transport: "mqtt", url },
    can: { bus: "virtual:idle" } }));
  const bin = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "roadrig.js");
  const child = spawn(process.execPath, [bin, "agent", "--config", configFile],
    { stdio: ["ignore", "ignore", "pipe"] });
  try {
    await waitFor(child, '"msg":"shadow synced"');
    const before = await cpuTicks(child.pid!);
    const startNs = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const ticks = (await cpuTicks(child.pid!)) - before;
    const elapsedS = Number(process.hrtime.bigint() - startNs) / 1e9;
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${child.pid}/status`,
      "utf8"))?.[1] ?? 0);
    // Clock ticks are 1/100 s on Linux.
    return { rssMb: rssKb / 1024, cpuPct: (ticks / 100 / elapsedS) * 100 };
  } finally {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
}

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

function waitFor(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolveWait, reject) => {
    let seen = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      seen += chunk;
      if (seen.includes(text)) resolveWait();
    });
    child.once("exit", (code) => reject(new Error(`agent exited ${code}: ${seen}`)));
  });
}

function report(name: string, latencies: number[]): void {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  process.stdout.write(`${name}: ${sorted.length} commands, p50 ${at(0.5).toFixed(2)} ms, ` +
    `p99 ${at(0.99).toFixed(2)} ms (goal <= ${GOAL_P99_MS}), max ${at(1).toFixed(2)} ms\n`);
}

async function connectNoDelay(url: string): Promise<MqttClient> {
  const client = await connectAsync(url, { reconnectPeriod: 0 });
  (client.stream as Partial<Socket>).setNoDelay?.(true);
  return client;
}

async function startMosquitto(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = await spawnMosquitto(await writeMosquittoConfig(dir,
    [`listener ${port} 127.0.0.1`, "allow_anonymous true"]));
  return { url: `mqtt://127.0.0.1:${port}`, child };
}

function option(args: readonly string[], name: string, fallback: number): number {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}
