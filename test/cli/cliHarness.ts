import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../support/sharedData.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Compiles the CLI to dist/, as `npm test` does before vitest. Under vitest the global setup
 * (test/support/buildOnce.ts) has already done it once for all files, so this does nothing:
 * a build while another test file spawns the CLI would let it load half-written modules.
 */
export function buildCli(): void {
  if (process.env.ROADRIG_DIST_FRESH === "1") return;
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  // The program, then the vehicle page (its own project: the DOM library is for it alone).
  for (const project of ["tsconfig.build.json", join("agent", "web", "page")]) {
    const result = spawnSync(process.execPath, [tsc, "-p", project], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    // Type errors elsewhere in the tree still emit; only a missing entry point is fatal here.
    if (result.error) throw result.error;
  }
}

/** Runs `roadrig ...args` as a child process and collects its output and exit code. */
export function roadrig(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return roadrigWatched(args, env, () => undefined);
}

/**
 * As roadrig(), calling `watch` with the stderr so far and the child at each piece of stderr:
 * a test signals the child once it has logged something ("replay started": its signal
 * handlers are in place).
 */
export function roadrigWatched(
  args: string[],
  env: Record<string, string>,
  watch: (stderr: string, child: ChildProcess) => void,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, "bin", "roadrig.js"), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ROADRIG_LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      watch(stderr, child);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
