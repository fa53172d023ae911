import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";

export interface Running {
  readonly child: ChildProcess;
  readonly exit: Promise<number | null>;
  readonly log: () => string;
}

/**
 * Starts `command` and resolves once a JSON log line on stderr has `msg` equal to `message`;
 * rejects, with what it logged, if the process ends first.
 */
export async function runUntilLogged(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
  message: string,
): Promise<Running> {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const exit = once(child, "exit").then(([code]) => code as number | null);
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
  const seen = new Promise<void>((resolve) => {
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      log += chunk;
      if (log.includes(`"msg":"${message}"`)) resolve();
    });
  });
  await Promise.race([seen, exit.then((code) => {
    throw new Error(`${command} exited ${code} before logging '${message}':\n${log}`);
  })]);
  return { child, exit, log: () => log };
}
