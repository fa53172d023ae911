import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildCli } from "../cli/cliHarness.js";
import { repoRoot } from "./sharedData.js";

/** The folders `tsconfig.build.json` compiles. */
const SOURCES = ["agent", "replay", "drivers", "config", "cli", "bench"];
const ENTRY = join(repoRoot, "dist", "cli", "main.js");

/**
 * vitest's global setup: compiles dist/ once, before any test file starts, when a source is
 * newer than it (`npm test` has just built it: nothing to do). Test files that spawn the CLI
 * then find it built; none rebuilds it while another runs it.
 */
export default function setup(): void {
  if (isStale()) buildCli();
  process.env.ROADRIG_DIST_FRESH = "1";
}

function isStale(): boolean {
  let built: number;
  try {
    built = statSync(ENTRY).mtimeMs;
  } catch {
    return true;
  }
  return SOURCES.some((folder) => newerThan(join(repoRoot, folder), built));
}

function newerThan(dir: string, time: number): boolean {
  return readdirSync(dir, { withFileTypes: true }).some((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return newerThan(path, time);
    return entry.name.endsWith(".ts") && statSync(path).mtimeMs > time;
  });
}
