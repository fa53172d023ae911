import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isStale, newLockOwner, parseLockOwner, type LockOwner } from "./LockOwner.js";
import { namedFsError } from "./namedFsError.js";

/**
 * An in-use marker on a cache entry: one file per reader in the entry's `leases/` folder,
 * kept fresh by a heartbeat. Eviction skips an entry with a live lease; a lease whose holder
 * died (dead pid on this host, or a heartbeat older than staleMs) does not count.
 */
export class Lease {
  private timer: NodeJS.Timeout | undefined;

  private constructor(readonly file: string, heartbeatMs: number) {
    this.timer = setInterval(() => {
      const now = new Date();
      utimes(this.file, now, now).catch(() => undefined);
    }, heartbeatMs);
    this.timer.unref();
  }

  static async take(dir: string, heartbeatMs: number): Promise<Lease> {
    await mkdir(dir, { recursive: true });
    const owner = newLockOwner();
    const file = join(dir, `${owner.host}.${owner.pid}.${owner.token}.lease`);
    try {
      await writeFile(file, JSON.stringify(owner));
    } catch (err) {
      // A full disk leaves the file empty: take it away, and say which file it was.
      await rm(file, { force: true }).catch(() => undefined);
      throw namedFsError(err, file);
    }
    return new Lease(file, heartbeatMs);
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await rm(this.file, { force: true });
  }
}

/** Live leases in `dir`; stale lease files are removed on the way. */
export async function liveLeases(dir: string, staleMs: number): Promise<LockOwner[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const live: LockOwner[] = [];
  for (const name of names.filter((n) => n.endsWith(".lease"))) {
    const file = join(dir, name);
    try {
      const [text, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
      const owner = parseLockOwner(text);
      if (owner !== undefined && !isStale(owner, info.mtimeMs, staleMs)) live.push(owner);
      else await rm(file, { force: true });
    } catch {
      // Released while we looked.
    }
  }
  return live;
}

/** The newest heartbeat among the lease files (0 if none): a reader still at work. */
export async function newestLeaseMs(dir: string): Promise<number> {
  try {
    const names = await readdir(dir);
    const mtime = (n: string) => stat(join(dir, n)).then((s) => s.mtimeMs, () => 0);
    const times = await Promise.all(names.map(mtime));
    return Math.max(0, ...times);
  } catch {
    return 0;
  }
}
