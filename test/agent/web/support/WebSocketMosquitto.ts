import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../../../bench/support/freePort.js";
import {
  endProcess, spawnMosquitto, writeMosquittoConfig,
} from "../../../../bench/support/mosquittoProcess.js";

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
    let child: ChildProcess;
    try {
      child = await spawnMosquitto(await writeMosquittoConfig(dir, [
        `listener ${tcpPort} 127.0.0.1`,
        `listener ${wsPort} 127.0.0.1`,
        "protocol websockets",
        "allow_anonymous true",
      ]));
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return new WebSocketMosquitto(dir, child, tcpPort, wsPort);
  }

  get tcpUrl(): string {
    return `mqtt://127.0.0.1:${this.tcpPort}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.wsPort}`;
  }

  async stop(): Promise<void> {
    await endProcess(this.child);
    await rm(this.dir, { recursive: true, force: true });
  }
}
