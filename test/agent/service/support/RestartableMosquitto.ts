import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../../../bench/support/freePort.js";
import {
  endProcess, spawnMosquitto, writeMosquittoConfig,
} from "../../../../bench/support/mosquittoProcess.js";

/**
 * Debian's mosquitto on one loopback port that the test can stop and start again, so that a
 * client sees its broker go away and come back at the same address.
 */
export class RestartableMosquitto {
  #child: ChildProcess | undefined;
  #config = "";

  private constructor(readonly port: number, private readonly dir: string) {}

  static async start(): Promise<RestartableMosquitto> {
    const dir = await mkdtemp(join(tmpdir(), "roadrig-mosquitto-"));
    const broker = new RestartableMosquitto(await freePort(), dir);
    broker.#config = await writeMosquittoConfig(dir,
      [`listener ${broker.port} 127.0.0.1`, "allow_anonymous true"]);
    await broker.up();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }


  /** Starts the broker; resolves once it says it is running (its listener is open then). */
  async up(): Promise<void> {
    this.#child = await spawnMosquitto(this.#config);
  }

  /** Stops the broker; every client connection drops. */
  async down(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    await endProcess(child);
  }

  async stop(): Promise<void> {
    await this.down();
    await rm(this.dir, { recursive: true, force: true });
  }
}
