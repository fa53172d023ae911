import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

/** Who holds a lock or a lease: written into it so that others can judge if it is stale. */
export interface LockOwner {
  readonly host: string;
  readonly pid: number;
  readonly token: string;
  readonly since: number;
}

export function newLockOwner(): LockOwner {
  return { host: hostname(), pid: process.pid, token: randomUUID(), since: Date.now() };
}

/**
 * A holder is gone when, on this host, its process no longer exists, or, on any host, its
 * heartbeat (the file's mtime) is older than `staleMs`. Across hosts only the heartbeat can
 * tell, so `staleMs` must exceed the clock skew between hosts plus a few heartbeats.
 */
export function isStale(
  owner: Pick<LockOwner, "host" | "pid"> | undefined,
  heartbeatMs: number,
  staleMs: number,
  now = Date.now(),
): boolean {
  if (now - heartbeatMs > staleMs) return true;
  if (owner === undefined || owner.host !== hostname()) return false;
  return !processExists(owner.pid);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function parseLockOwner(text: string): LockOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (typeof v.host !== "string" || typeof v.pid !== "number" || typeof v.token !== "string") {
      return undefined;
    }
    return { host: v.host, pid: v.pid, token: v.token, since: Number(v.since ?? 0) };
  } catch {
    return undefined;
  }
}
