import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync } from "mqtt";
import type { MqttClient } from "mqtt";
import { makeTestPki } from "./makeTestPki.js";
import type { TestPki } from "./makeTestPki.js";
import { freePort } from "../../../bench/support/freePort.js";

/**
 * Debian's mosquitto on a random loopback port with mutual TLS only (client certificates from a
 * CA the test made), no persistence. It can be stopped and started again on the same port, as
 * a broker restart.
 */
export class TlsMosquitto {
  #child: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly pki: TestPki,
    private readonly config: string,
  ) {}

  static async start(clientName = "roadrig-test"): Promise<TlsMosquitto> {
    const dir = await mkdtemp(join(tmpdir(), "roadrig-mtls-"));
    try {
      return await TlsMosquitto.#startIn(dir, clientName);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  static async #startIn(dir: string, clientName: string): Promise<TlsMosquitto> {
    const pki = await makeTestPki(dir, clientName);
    const port = await freePort();
    const config = join(dir, "mosquitto.conf");
    await writeFile(config, [
      `listener ${port} 127.0.0.1`,
      `cafile ${pki.ca}`,
      `certfile ${pki.serverCert}`,
      `keyfile ${pki.serverKey}`,
      "require_certificate true",
      "use_identity_as_username true",
      "allow_anonymous false",
      "set_tcp_nodelay true",
      "persistence false",
      "max_packet_size 1000000",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "log_type notice",
      "log_type information",
      "",
    ].join("\n"));
    // Started as root, mosquitto drops to its own user, which must read the throwaway PKI.
    await chmod(dir, 0o755);
    for (const name of await readdir(dir)) await chmod(join(dir, name), 0o644);
    const broker = new TlsMosquitto(dir, port, pki, config);
    await broker.resume();
    return broker;
  }

  get url(): string {
    return `mqtts://127.0.0.1:${this.port}`;
  }

  /** Starts the broker process (again); resolves once it listens. */
  async resume(): Promise<void> {
    const child = spawn("mosquitto", ["-c", this.config], { stdio: ["ignore", "ignore", "pipe"] });
    this.#child = child;
    const deadline = setTimeout(() => child.kill("SIGKILL"), 10_000);
    try {
      await waitForLine(child, /running/);
    } finally {
      clearTimeout(deadline);
    }
  }

  /** Kills the broker process: every connection drops, every session is lost. */
  async halt(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    await this.halt();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** An mqtt.js client with the test's client certificate, Nagle off. */
  async connect(
    options: { clientId?: string; reconnectPeriod?: number } = {},
  ): Promise<MqttClient> {
    const [cert, key, ca] = await Promise.all([readFile(this.pki.clientCert),
      readFile(this.pki.clientKey), readFile(this.pki.ca)]);
    const client = await connectAsync(this.url, { cert, key, ca,
      reconnectPeriod: options.reconnectPeriod ?? 0,
      ...(options.clientId === undefined ? {} : { clientId: options.clientId }) });
    const setNoDelay = () => (client.stream as Partial<Socket>).setNoDelay?.(true);
    setNoDelay();
    client.on("connect", setNoDelay);
    return client;
  }
}


// The pipe keeps being drained after the line, so that mosquitto never blocks on stderr.
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    let done = false;
    child.stderr?.on("data", (chunk) => {
      if (done) return;
      seen += String(chunk);
      if (pattern.test(seen)) {
        done = true;
        resolve();
      }
    });
    child.once("exit", (code) => {
      if (!done) reject(new Error(`mosquitto ended (exit ${String(code)}):\n${seen}`));
    });
  });
}
