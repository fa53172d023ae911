import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./support/freePort.js";

/** A broker process the bench started on 127.0.0.1, and how to stop it. */
export interface BenchBroker {
  readonly url: string;
  stop(): Promise<void>;
}


function stopper(child: ChildProcess, dir?: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

/** Debian's mosquitto on a free loopback port, no persistence. */
export async function startMosquittoProcess(): Promise<BenchBroker> {
  const dir = mkdtempSync(join(tmpdir(), "roadrig-bench-mosquitto-"));
  const port = await freePort();
  const config = join(dir, "mosquitto.conf");
  writeFileSync(config, `listener ${port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\n` +
    "persistence false\nlog_dest stderr\nlog_type information\n");
  const child = spawn("mosquitto", ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    child.stderr?.on("data", (d: Buffer) => {
      seen += d.toString();
      if (seen.includes("running")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`mosquitto exited with ${code}: ${seen}`)));
  });
  return { url: `mqtt://127.0.0.1:${port}`, stop: stopper(child, dir) };
}

/**
 * librdkafka's mock cluster, owned by a client in a process of its own, so that the cluster's
 * CPU does not count as the agent's. Prints the brokers' loopback addresses from the metadata.
 */
export async function startMockKafkaProcess(cwd: string): Promise<BenchBroker> {
  const script = `
    const Kafka = require("node-rdkafka");
    const owner = new Kafka.Producer({ "test.mock.num.brokers": 1 });
    owner.connect({}, (err, md) => {
      if (err) { console.error(err.message); process.exit(1); }
      console.log(md.brokers.map((b) => b.host + ":" + b.port).join(","));
    });
    process.stdin.on("end", () => owner.disconnect(() => process.exit(0)));
    process.stdin.resume();`;
  const child = spawn(process.execPath, ["-e", script], { cwd, stdio: ["pipe", "pipe", "inherit"] });
  const servers = await new Promise<string>((resolve, reject) => {
    child.stdout?.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("exit", (code) => reject(new Error(`mock cluster exited with ${code}`)));
  });
  return {
    url: servers,
    stop: async () => {
      child.stdin?.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}
