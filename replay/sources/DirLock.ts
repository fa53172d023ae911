import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, rmdir, stat, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { isStale, newLockOwner, parseLockOwner, type LockOwner } from "./LockOwner.js";
import { LockTimeoutError } from "./LockTimeoutError.js";
import { namedFsError } from "./namedFsError.js";

export interface DirLockOptions {
  /** A holder whose heartbeat is older than this is presumed dead (default 30 s). */
  readonly staleMs?: number;
  /** How often a holder refreshes its heartbeat (default staleMs / 4). */
  readonly heartbeatMs?: number;
  /** How long acquire() waits for a live holder (default 60 s). */
  readonly timeoutMs?: number;
  /** Told once when acquire() has waited `noticeMs` (default 2 s) for the lock. */
  readonly onWait?: (wait: LockWait) => void;
  readonly noticeMs?: number;
}

/** A wait for a lock that another holder keeps: who, and for how long already. */
export interface LockWait {
  readonly path: string;
  /** "pid 4242 on rig-07 since 2026-12-05T06:00:00.000Z", or "an unknown owner". */
  readonly holder: string;
  readonly waitedMs: number;
  /** Age of the holder's heartbeat (undefined if the lock vanished meanwhile). */
  readonly heartbeatAgeMs: number | undefined;
  /** The holder is presumed dead once its heartbeat is this old. */
  readonly staleMs: number;
}

/** One line for a log: what is waited for, and when the wait ends at the latest. */
export function lockWaitMessage(wait: LockWait): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const age = wait.heartbeatAgeMs === undefined ? "" : `, heartbeat ${s(wait.heartbeatAgeMs)} old`;
  return `${wait.path}: waiting ${s(wait.waitedMs)} for the lock held by ${wait.holder}${age}; `
    + `it is presumed dead ${s(wait.staleMs)} after its last heartbeat`;
}

interface Holder {
  readonly owner: LockOwner | undefined;
  readonly heartbeatMs: number;
}

/**
 * A lock that works on network file systems: the lock is a directory (mkdir is atomic on NFS,
 * unlike O_EXCL on old clients or flock across hosts), holding owner.json with host, pid and
 * a token, whose mtime is the heartbeat. A stale lock is broken by one breaker at a time.
 */
export class DirLock {
  private timer: NodeJS.Timeout | undefined;
  private lostLock = false;

  private constructor(
    readonly path: string,
    readonly owner: LockOwner,
    heartbeatMs: number,
  ) {
    this.timer = setInterval(() => void this.beat(), heartbeatMs);
    this.timer.unref();
  }

  /** True once another process broke this lock (our heartbeat was judged stale). */
  get lost(): boolean {
    return this.lostLock;
  }

  static async acquire(path: string, options: DirLockOptions = {}): Promise<DirLock> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const noticeMs = options.noticeMs ?? 2000;
    const started = Date.now();
    let noticed = options.onWait === undefined;
    for (let attempt = 0; ; attempt++) {
      const lock = await DirLock.tryAcquire(path, options);
      if (lock !== undefined) return lock;
      const waitedMs = Date.now() - started;
      if (!noticed && waitedMs >= noticeMs) {
        noticed = true;
        const holder = await readHolder(path);
        const heartbeatAgeMs = holder && Math.max(0, Date.now() - holder.heartbeatMs);
        options.onWait?.({
          path,
          holder: describeOwner(holder?.owner),
          waitedMs,
          heartbeatAgeMs,
          staleMs: options.staleMs ?? 30_000,
        });
      }
      if (waitedMs >= timeoutMs) {
        const holder = await readHolder(path);
        throw new LockTimeoutError(path, describeOwner(holder?.owner), Date.now() - started);
      }
      // Polling is the only wait that works across hosts on NFS (no inotify there).
      await delay(Math.min(200, 2 * 2 ** Math.min(attempt, 7)));
    }
  }

  /** The lock if it is free (or held by a stale owner), else undefined at once. */
  static async tryAcquire(
    path: string,
    options: DirLockOptions = {},
  ): Promise<DirLock | undefined> {
    const staleMs = options.staleMs ?? 30_000;
    for (let tries = 0; tries < 3; tries++) {
      try {
        await mkdir(path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // The folder holding the lock was evicted meanwhile: recreate it and try again.
        if (code === "ENOENT") {
          await mkdir(dirname(path), { recursive: true });
          continue;
        }
        if (code !== "EEXIST") throw err;
        if (await breakIfStale(path, staleMs)) continue;
        return undefined;
      }
      const owner = newLockOwner();
      const ownerFile = join(path, "owner.json");
      try {
        await writeFile(ownerFile, JSON.stringify(owner));
      } catch (err) {
        // A full disk (ENOSPC) leaves an empty owner.json: a lock nobody releases, which every
        // other process would wait on until it goes stale.
        await rm(path, { recursive: true, force: true }).catch(() => undefined);
        throw namedFsError(err, ownerFile);
      }
      return new DirLock(path, owner, options.heartbeatMs ?? Math.max(1, staleMs / 4));
    }
    return undefined;
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const holder = await readHolder(this.path);
    if (holder?.owner?.token !== this.owner.token) {
      this.lostLock = true;
      return;
    }
    await rm(join(this.path, "owner.json"), { force: true });
    await rmdir(this.path).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    const file = join(this.path, "owner.json");
    try {
      const owner = parseLockOwner(await readFile(file, "utf8"));
      if (owner?.token !== this.owner.token) throw new Error("lock taken over");
      const now = new Date();
      await utimes(file, now, now);
    } catch {
      this.lostLock = true;
      clearInterval(this.timer);
    }
  }
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    const file = join(path, "owner.json");
    const [text, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
    return { owner: parseLockOwner(text), heartbeatMs: info.mtimeMs };
  } catch {
    // Created but owner.json not yet written (or its holder died in between): the directory's
    // own mtime is the only heartbeat there is.
    try {
      return { owner: undefined, heartbeatMs: (await stat(path)).mtimeMs };
    } catch {
      return undefined;
    }
  }
}

/**
 * Removes a stale lock. Breakers take `<path>.break` first and check again under it, so two
 * breakers cannot both remove, and the second cannot remove the first's fresh lock.
 */
async function breakIfStale(path: string, staleMs: number): Promise<boolean> {
  const seen = await readHolder(path);
  if (seen === undefined) return true;
  if (!isStale(seen.owner, seen.heartbeatMs, staleMs)) return false;
  const breaker = `${path}.break`;
  try {
    await mkdir(breaker);
  } catch {
    const b = await stat(breaker).catch(() => undefined);
    // A breaker that died mid-break must not block everyone forever.
    if (b !== undefined && Date.now() - b.mtimeMs > staleMs) {
      await rmdir(breaker).catch(() => undefined);
    }
    return false;
  }
  try {
    const again = await readHolder(path);
    if (again === undefined) return true;
    if (again.owner?.token !== seen.owner?.token) return false;
    if (!isStale(again.owner, again.heartbeatMs, staleMs)) return false;
    const trash = `${path}.stale.${randomUUID()}`;
    await rename(path, trash);
    await rm(trash, { recursive: true, force: true });
    return true;
  } finally {
    await rmdir(breaker).catch(() => undefined);
  }
}

function describeOwner(owner: LockOwner | undefined): string {
  if (owner === undefined) return "an unknown owner";
  return `pid ${owner.pid} on ${owner.host} since ${new Date(owner.since).toISOString()}`;
}
