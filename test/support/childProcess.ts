import { spawn, type ChildProcess } from "node:child_process";

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` to its end and collects its output. */
export function runChild(command: string, args: string[]): Promise<ChildResult> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  return collect(child);
}

/** Starts `command` and resolves once a stdout line matches: the child says it is ready. */
export function startChild(
  command: string,
  args: string[],
  ready: RegExp,
): Promise<{ child: ChildProcess; line: string; done: Promise<ChildResult> }> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  const done = collect(child);
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (data: Buffer) => {
      seen += data.toString();
      const line = seen.split("\n").find((l) => ready.test(l));
      if (line !== undefined) resolve({ child, line, done });
    });
    void done.then((r) => reject(new Error(`child ended before ready: ${r.stderr}`)));
  });
}

function collect(child: ChildProcess): Promise<ChildResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
