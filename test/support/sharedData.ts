import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The shared folder of real logs, DBCs, reference values and bug cases lives beside the
 * checkout (`../shared`), or where ROADRIG_SHARED points. It is never copied into the project.
 */
export const sharedDir = process.env.ROADRIG_SHARED ?? resolve(repoRoot, "..", "shared");
export const hasShared = existsSync(join(sharedDir, "data", "MANIFEST.md"));

// CI sets ROADRIG_REQUIRE_SHARED=1: there a missing shared folder is a failure, not a skip.
if (!hasShared && process.env.ROADRIG_REQUIRE_SHARED === "1") {
  throw new Error(`shared data not found at ${sharedDir} (ROADRIG_REQUIRE_SHARED=1)`);
}

export function dataPath(...parts: string[]): string {
  return join(sharedDir, "data", ...parts);
}

export function truthPath(...parts: string[]): string {
  return join(sharedDir, "data", "truth", ...parts);
}

export function casePath(...parts: string[]): string {
  return join(sharedDir, "cases", ...parts);
}

export { repoRoot };
