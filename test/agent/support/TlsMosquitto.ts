import type { ChildProcess } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync } from "mqtt";
import type { MqttClient } from "mqtt";
import { makeTestPki } from "./makeTestPki.js";
import type { TestPki } from "./makeTestPki.js";
import { freePort } from "../../../bench/support/freePort.js";
import {
  endProcess, spawnMosquitto, writeMosquittoConfig,
} from "../../../bench/support/mosquittoProcess.js";

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
    // Mosquitto's own user must read the throwaway PKI.
    for (const name of await readdir(dir)) await chmod(join(dir, name), 0o644);
    const config = await writeMosquittoConfig(dir, [
      `listener ${port} 127.0.0.1`,
      `cafile ${pki.ca}`,
      `certfile ${pki.serverCert}`,
      `keyfile ${pki.serverKey}`,
      "require_certificate true",
      "use_identity_as_username true",
      "allow_anonymous false",
      "max_packet_size 1000000",
    ]);
    const broker = new TlsMosquitto(dir, port, pki, config);
    await broker.resume();
    return broker;
  }

  get url(): string {
    return `mqtts://127.0.0.1:${this.port}`;
  }

  /** Starts the broker process (again); resolves once it listens. */
  async resume(): Promise<void> {
    this.#child = await spawnMosquitto(this.config);
  }

  /** Kills the broker process: every connection drops, every session is lost. */
  async halt(): Promise<void> {
    await endProcess(this.#child, "SIGKILL");
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

