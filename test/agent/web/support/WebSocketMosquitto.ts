import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../../../bench/support/freePort.js";

/**
 * Debian's mosquitto on loopback with two listeners: plain MQTT for the agent and the shadow
 * service, and MQTT over WebSockets for the page. Anonymous, no persistence: a test broker.
 */
export class WebSocketMosquitto {
  private constructor(
    private readonly dir: string,
    private readonly child: ChildProcess,
    readonly tcpPort: number,
    readonly wsPort: number,
  ) {}

  static async start(): Promise<WebSocketMosquitto> {
    const dir = await mkdtemp(join(tmpdir(), "roadrig-ws-mosquitto-"));
    const [tcpPort, wsPort] = [await freePort(), await freePort()];
    const config = join(dir, "mosquitto.conf");
    await writeFile(config, [
      `listener ${tcpPort} 127.0.0.1`,
      `listener ${wsPort} 127.0.0.1`,
      "protocol websockets",
      "allow_anonymous true",
      "set_tcp_nodelay true",
      "persistence false",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "log_type notice",
      // "running" is an information line: it says the listeners are open.
      "log_type information",
      "",
    ].join("\n"));
    // Started as root, mosquitto drops to its own user, which must read the configuration.
    await chmod(dir, 0o755);
    await chmod(config, 0o644);
    const child = spawn("mosquitto", ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
    const broker = new WebSocketMosquitto(dir, child, tcpPort, wsPort);
    try {
      await waitForRunning(child);
    } catch (error) {
      await broker.stop();
      throw error;
    }
    return broker;
  }

  get tcpUrl(): string {
    return `mqtt://127.0.0.1:${this.tcpPort}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.wsPort}`;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, "exit");
      this.child.kill("SIGTERM");
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

// The pipe keeps being drained after the line, so that mosquitto never blocks on stderr.
function waitForRunning(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stderr!.on("data", (chunk) => {
      seen += String(chunk);
      if (/running/.test(seen)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`mosquitto ended (exit ${code}):\n${seen}`)));
  });
}
