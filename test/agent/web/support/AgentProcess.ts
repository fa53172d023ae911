import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { freePort } from "../../../../bench/support/freePort.js";
import { repoRoot } from "../../../support/sharedData.js";

/** `roadrig agent` on embedded defaults, from dist, on free loopback ports. */
export class AgentProcess {
  log = "";

  private constructor(
    private readonly child: ChildProcess,
    readonly brokerPort: number,
    readonly pageUrl: string,
  ) {}

  /** Resolves once the page is served and the shadow was read. */
  static async start(): Promise<AgentProcess> {
    const [brokerPort, webPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [join(repoRoot, "bin", "roadrig.js"), "agent",
      "--port", String(brokerPort), "--web-port", String(webPort), "--health-port", "0"], {
      cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] });
    const agent = new AgentProcess(child, brokerPort, `http://127.0.0.1:${webPort}/`);
    await new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        agent.log += chunk;
        if (agent.log.includes('"msg":"vehicle page"') &&
          agent.log.includes('"msg":"shadow synced"')) resolve();
      });
      child.once("exit", (code) => reject(new Error(`agent exited ${code}:\n${agent.log}`)));
    });
    return agent;
  }

  get brokerUrl(): string {
    return `mqtt://127.0.0.1:${this.brokerPort}`;
  }

  /** The vehicle side: the simulator hook of the embedded default. */
  async simulate(change: Record<string, unknown>): Promise<void> {
    const response = await fetch(new URL("sim", this.pageUrl), { method: "POST",
      headers: { "content-type": "application/json" }, body: JSON.stringify(change) });
    if (response.status !== 204) {
      throw new Error(`POST /sim ${response.status}: ${await response.text()}`);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, "exit");
    this.child.kill("SIGTERM");
    await exited;
  }
}
