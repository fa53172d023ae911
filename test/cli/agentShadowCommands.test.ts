import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/sharedData.js";
import { buildCli, roadrig } from "./cliHarness.js";
import { freePort } from "../../bench/support/freePort.js";

describe("roadrig agent (embedded default) and roadrig shadow", () => {
  let agent: ChildProcess;
  let url: string;
  let webPort: number;
  let agentLog = "";

  beforeAll(async () => {
    buildCli();
    const port = await freePort();
    url = `mqtt://127.0.0.1:${port}`;
    webPort = await freePort();
    agent = spawn(process.execPath, [join(repoRoot, "bin", "roadrig.js"), "agent",
      "--port", String(port), "--web-port", String(webPort), "--health-port", "0"],
    { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      agent.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
        agentLog += chunk;
        if (agentLog.includes('"msg":"shadow synced"')) resolve();
      });
      agent.once("exit", (code) => reject(new Error(`agent exited ${code}:\n${agentLog}`)));
    });
  });

  afterAll(async () => {
    if (agent?.exitCode === null) {
      agent.kill("SIGTERM");
      await once(agent, "exit");
    }
  });

  it("sets the door open and prints it reported open", async () => {
    const set = await roadrig(["shadow", "set", "door=open", "--url", url]);
    expect(set.stderr).toBe("");
    expect(JSON.parse(set.stdout)).toEqual({ reported: { door: "open" } });
    expect(set.code).toBe(0);
    const get = await roadrig(["shadow", "get", "--url", url]);
    const document = JSON.parse(get.stdout) as { state: { reported: Record<string, unknown> } };
    expect(document.state.reported).toMatchObject({ door: "open", trunk: "closed", windowFL: 0 });
  });

  it("watches until the trunk is reported open", async () => {
    const watch = spawn(process.execPath, [join(repoRoot, "bin", "roadrig.js"), "shadow", "watch",
      "--url", url, "--until", "trunk=open"], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    watch.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    // The set starts once the watcher says it is subscribed, so that no answer is missed.
    await new Promise<void>((resolve) => watch.stderr.setEncoding("utf8").on("data",
      (chunk: string) => chunk.includes("watching") && resolve()));
    const exited = once(watch, "exit");
    const set = await roadrig(["shadow", "set", "trunk=open", "windowFL=25", "--url", url]);
    expect(JSON.parse(set.stdout)).toEqual({ reported: { trunk: "open", windowFL: 25 } });
    const [code] = (await exited) as [number];
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as { topic: string });
    expect(lines.at(-1)!.topic).toBe("$aws/things/roadrig-sample/shadow/update/accepted");
  });

  it("exits 1 with the reported error for a value the agent refuses", async () => {
    const set = await roadrig(["shadow", "set", "windowFR=150", "--url", url]);
    expect(set.code).toBe(1);
    expect(JSON.parse(set.stdout)).toEqual({ reported: { windowFR: 0, errors: { windowFR: {
      desired: 150, code: "invalid", reason: "expected 0–100, found 150" } } } });
    expect(agentLog).toContain('"msg":"desired value refused"');
  });

  it("exits 2 on an assignment without a value", async () => {
    const set = await roadrig(["shadow", "set", "door", "--url", url]);
    expect(set.code).toBe(2);
    expect(set.stderr).toContain("expected field=value, found 'door'");
  });

  it("exits 2 on a broker URL that is not MQTT, and on a timeout Node's timers cannot hold",
    async () => {
      const file = await roadrig(["shadow", "get", "--url", "file:///etc/passwd"]);
      expect([file.code, file.stderr]).toEqual([2,
        "roadrig: --url file:///etc/passwd: expected mqtt://, mqtts://, ws://, wss:// URL\n"]);
      const long = await roadrig(["shadow", "get", "--url", url, "--timeout", "99999999999"]);
      expect(long.code).toBe(2);
      expect(long.stderr).toContain("--timeout: expected milliseconds from 1 to 2147483647");
    });

  it("reads the shadow through the vehicle page's MQTT over WebSockets", async () => {
    const get = await roadrig(["shadow", "get", "--url", `ws://127.0.0.1:${webPort}/mqtt`]);
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ state: { reported: { lock: "unlocked" } } });
  });

  it("publishes the simulated drive's telemetry to the embedded broker, shown by telemetry watch",
    async () => {
      const watch = await roadrig(["telemetry", "watch", "--broker", url, "--count", "2", "--json"]);
      expect(watch.code).toBe(0);
      const batches = watch.stdout.trim().split("\n").map((l) => JSON.parse(l) as {
        topic: string; vehicle: string; records: { bus: string; message?: string }[];
      });
      expect(batches).toHaveLength(2);
      for (const batch of batches) {
        expect(batch.topic).toMatch(/^roadrig\/1RRSAMPLE0R000001\/telemetry\/(events|periodic)$/);
        expect(batch.records.length).toBeGreaterThan(0);
        expect(batch.records.every((r) => r.bus === "roadrig-sample-drive")).toBe(true);
      }
    }, 30_000);

  it("stops on SIGTERM with exit code 0", async () => {
    agent.kill("SIGTERM");
    const [code] = (await once(agent, "exit")) as [number];
    expect(code).toBe(0);
    expect(agentLog).toContain('"msg":"agent stopping"');
  });
});

