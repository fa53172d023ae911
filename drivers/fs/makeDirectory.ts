import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * Creates a directory and its missing parents, like `mkdir -p`. Node's own recursive mkdir
 * never returns for a path under a file system that refuses new entries with ENOENT (`/proc`,
 * `/sys`): this one walks up to the nearest existing directory and creates each level in turn,
 * so such a path fails at once with the level that could not be made.
 */
export async function makeDirectory(path: string): Promise<void> {
  // A few stat and mkdir calls, made once at start-up: not worth a second, async walk.
  await Promise.resolve();
  makeDirectorySync(path);
}

/** `makeDirectory` for code that is synchronous. */
export function makeDirectorySync(path: string): void {
  const missing: string[] = [];
  for (let at = resolve(path); ; at = dirname(at)) {
    let found;
    try {
      found = statSync(at);
    } catch (err) {
      absent(err);
    }
    if (found) {
      if (!found.isDirectory()) throw notADirectory(at, path);
      break;
    }
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (err) {
      if (code(err) !== "EEXIST" || !statSync(dir).isDirectory()) throw cannotCreate(err, dir);
    }
  }
}

/** Missing, or below a file (ENOTDIR): keep walking up to say which. */
function absent(err: unknown): undefined {
  if (code(err) === "ENOENT" || code(err) === "ENOTDIR") return undefined;
  throw err;
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function notADirectory(at: string, path: string): Error {
  return Object.assign(
    new Error(`cannot create directory ${path}: ${at} exists and is not a directory`),
    { code: "ENOTDIR", path: at },
  );
}

function cannotCreate(err: unknown, dir: string): Error {
  const reason = code(err) ?? (err as Error).message;
  return Object.assign(new Error(`cannot create directory ${dir}: ${reason}`),
    { code: code(err) ?? "EIO", path: dir, cause: err });
}
