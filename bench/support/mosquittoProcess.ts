import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * What every test and bench broker shares: Nagle off (else delayed ACKs add ~40 ms to each
 * answer), nothing persisted, and the information level, whose "running" line says the
 * listeners are open.
 */
const COMMON_LINES = [
  "set_tcp_nodelay true",
  "persistence false",
  "log_dest stderr",
  "log_type error",
  "log_type warning",
  "log_type notice",
  "log_type information",
];

/**
 * Writes `dir/mosquitto.conf` from the listener (and security) lines plus the common ones.
 * Started as root, mosquitto drops to its own user, which must be able to read the folder.
 */
export async function writeMosquittoConfig(dir: string, lines: readonly string[]):
  Promise<string> {
  const config = join(dir, "mosquitto.conf");
  await writeFile(config, [...lines, ...COMMON_LINES, ""].join("\n"));
  await chmod(dir, 0o755);
  await chmod(config, 0o644);
  return config;
}

/**
 * Starts Debian's mosquitto on `config` and resolves once it runs; a broker that never says
 * so within 10 s is killed, so that a failed start leaves no process behind.
 */
export async function spawnMosquitto(config: string): Promise<ChildProcess> {
  const child = spawn("mosquitto", ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
  const deadline = setTimeout(() => child.kill("SIGKILL"), 10_000);
  try {
    await waitForRunning(child);
    return child;
  } finally {
    clearTimeout(deadline);
  }
}

/** Ends a broker process (SIGKILL drops every session as a crash would) and waits for it. */
export async function endProcess(child: ChildProcess | undefined,
  signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill(signal);
  await exited;
}

// The pipe keeps being drained after the line, so that mosquitto never blocks on stderr.
function waitForRunning(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    let done = false;
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      if (done) return;
      seen += chunk;
      if (/running/.test(seen)) {
        done = true;
        resolve();
      }
    });
    child.once("exit", (code, signal) => {
      if (!done) reject(new Error(`mosquitto ended (${String(code ?? signal)}):\n${seen}`));
    });
  });
}
