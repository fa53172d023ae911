import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Aedes } from "aedes";
import { freePort } from "../../../../../bench/support/freePort.js";

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
  const config = join(dir, "mosquitto.conf");
  await writeFile(config, [
    `listener ${port} 127.0.0.1`,
    "allow_anonymous true",
    "set_tcp_nodelay true",
    "persistence false",
    "log_dest stderr",
    "log_type error",
    "log_type warning",
    "log_type notice",
    "log_type information",
    "",
  ].join("\n"));

  const child = spawn("mosquitto", ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
  // A broker that never reports running is killed, so that a failed start leaves no process.
  const deadline = setTimeout(() => child.kill("SIGKILL"), 10_000);
  try {
    await waitForLine(child.stderr, /running/, () => child.exitCode);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  } finally {
    clearTimeout(deadline);
  }
  return {
    name: "mosquitto",
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}


// Mosquitto logs "mosquitto version X running" (information level) once its listener is open.
// The pipe keeps being drained afterwards so that mosquitto never blocks on a full stderr.
function waitForLine(
  stream: NodeJS.ReadableStream,
  pattern: RegExp,
  exitCode: () => number | null,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    let done = false;
    stream.on("data", (chunk) => {
      if (done) return;
      seen += String(chunk);
      if (pattern.test(seen)) {
        done = true;
        resolve();
      }
    });
    stream.on("end", () => {
      if (!done) reject(new Error(`mosquitto ended (exit ${String(exitCode())}):\n${seen}`));
    });
  });
}
