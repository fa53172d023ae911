import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Aedes } from "aedes";
import { freePort } from "../../../../../bench/support/freePort.js";
import {
  endProcess, spawnMosquitto, writeMosquittoConfig,
} from "../../../../../bench/support/mosquittoProcess.js";

/** A broker on a random loopback port, started by the test and stopped by it. */
export interface TestBroker {
  readonly name: string;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startAedes(): Promise<TestBroker> {
  const broker = await Aedes.createBroker();
  // Without TCP_NODELAY on both ends, Nagle and delayed ACKs add ~40 ms to each answer.
  const server = createServer((socket) => broker.handle(socket.setNoDelay(true)));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    name: "aedes",
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      server.close();
      await once(server, "close");
    },
  };
}

/** Debian's mosquitto with a generated config: no system service, no persistence, loopback only. */
export async function startMosquitto(): Promise<TestBroker> {
  const dir = await mkdtemp(join(tmpdir(), "roadrig-mosquitto-"));
  const port = await freePort();
  let child;
  try {
    child = await spawnMosquitto(await writeMosquittoConfig(dir,
      [`listener ${port} 127.0.0.1`, "allow_anonymous true"]));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    name: "mosquitto",
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      await endProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
