import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../../../bench/support/freePort.js";

/**
 * Debian's mosquitto on one loopback port that the test can stop and start again, so that a
 * client sees its broker go away and come back at the same address.
 */
export class RestartableMosquitto {
  #child: ChildProcess | undefined;

  private constructor(readonly port: number, private readonly dir: string) {}

  static async start(): Promise<RestartableMosquitto> {
    const dir = await mkdtemp(join(tmpdir(), "roadrig-mosquitto-"));
    const broker = new RestartableMosquitto(await freePort(), dir);
    await writeFile(broker.#config, [
      `listener ${broker.port} 127.0.0.1`,
      "allow_anonymous true",
      "set_tcp_nodelay true",
      "persistence false",
      "log_dest stderr",
      "log_type information",
      "",
    ].join("\n"));
    await broker.up();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get #config(): string {
    return join(this.dir, "mosquitto.conf");
  }

  /** Starts the broker; resolves once it says it is running (its listener is open then). */
  async up(): Promise<void> {
    const child = spawn("mosquitto", ["-c", this.#config], { stdio: ["ignore", "ignore", "pipe"] });
    this.#child = child;
    let log = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        log += chunk;
        if (/running/.test(log)) resolve();
      });
      child.once("exit", (code) => reject(new Error(`mosquitto exited ${code}:\n${log}`)));
    });
  }

  /** Stops the broker; every client connection drops. */
  async down(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    child.kill("SIGTERM");
    await once(child, "exit");
  }

  async stop(): Promise<void> {
    await this.down();
    await rm(this.dir, { recursive: true, force: true });
  }
}
