import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { DirLock, lockWaitMessage, type LockWait } from "../../../replay/sources/DirLock.js";
import { NasCache } from "../../../replay/sources/NasCache.js";
import { LockTimeoutError } from "../../../replay/sources/LockTimeoutError.js";
import { Lease, liveLeases } from "../../../replay/sources/Lease.js";
import { compileForChild } from "../../support/compileForChild.js";
import { runChild, startChild } from "../../support/childProcess.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "roadrig-lock-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function fakeHolder(path: string, owner: object, ageMs: number): Promise<void> {
  await mkdir(path);
  const file = join(path, "owner.json");
  await writeFile(file, JSON.stringify(owner));
  const then = new Date(Date.now() - ageMs);
  await utimes(file, then, then);
}

describe("DirLock", () => {
  it("lets one holder in at a time and the next in when it releases", async () => {
    const path = join(root, "a.lock");
    const first = await DirLock.acquire(path);
    expect(await DirLock.tryAcquire(path)).toBeUndefined();
    let released = false;
    const second = DirLock.acquire(path).then((lock) => ({ lock, afterRelease: released }));
    await first.release();
    released = true;
    const { lock, afterRelease } = await second;
    expect(afterRelease).toBe(true);
    await lock.release();
  });

  it("breaks a lock whose heartbeat on another host is older than staleMs", async () => {
    const path = join(root, "b.lock");
    await fakeHolder(path, { host: "rig-07", pid: 1, token: "t", since: 0 }, 120_000);
    const lock = await DirLock.acquire(path, { staleMs: 60_000, timeoutMs: 1000 });
    expect(lock.owner.pid).toBe(process.pid);
    await lock.release();
  });

  it("waits for a live holder on another host and names it on timeout", async () => {
    const path = join(root, "c.lock");
    await fakeHolder(path, { host: "rig-07", pid: 4242, token: "t", since: 0 }, 0);
    const err = await DirLock.acquire(path, { staleMs: 60_000, timeoutMs: 50 })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect((err as Error).message).toContain("pid 4242 on rig-07");
  });

  it("tells once who holds the lock it waits for, and how old its heartbeat is", async () => {
    const path = join(root, "w.lock");
    await fakeHolder(path, { host: "rig-07", pid: 4242, token: "t", since: 0 }, 5000);
    const waits: LockWait[] = [];
    const err = await DirLock.acquire(path, {
      staleMs: 60_000, timeoutMs: 400, noticeMs: 100, onWait: (w) => waits.push(w),
    }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect(waits).toHaveLength(1);
    const [wait] = waits as [LockWait];
    expect(wait).toMatchObject({ path, staleMs: 60_000 });
    expect(wait.holder).toMatch(/^pid 4242 on rig-07 since /);
    expect(wait.waitedMs).toBeGreaterThanOrEqual(100);
    expect(wait.waitedMs).toBeLessThan(400);
    expect(wait.heartbeatAgeMs).toBeGreaterThanOrEqual(5000);
    expect(wait.heartbeatAgeMs).toBeLessThan(60_000);
    const message = lockWaitMessage(wait);
    expect(message).toMatch(new RegExp(`^${path}: waiting 0\\.\\d s for the lock held by pid 4242 on rig-07 `));
    expect(message).toMatch(/, heartbeat 5\.\d s old; it is presumed dead 60\.0 s after its last heartbeat$/);
  });

  it("is not told of a wait for a lock it gets at once", async () => {
    const waits: LockWait[] = [];
    const lock = await DirLock.acquire(join(root, "free.lock"), { noticeMs: 0, onWait: (w) => waits.push(w) });
    await lock.release();
    expect(waits).toEqual([]);
  });

  it("waits for a NAS cache entry's live lock twice the stale time before it gives up", async () => {
    const dir = join(root, "cache");
    const cache = new NasCache({ dir, staleMs: 250 });
    const bytes = new TextEncoder().encode("frames");
    const etag = `"${createHash("md5").update(bytes).digest("hex")}"`;
    const meta = { bucket: "b", key: "k", etag, size: bytes.length };
    const path = join(cache.entryDir(meta), "lock");
    await mkdir(cache.entryDir(meta), { recursive: true });
    // A live holder on another host: its heartbeat stays fresh, so it is never presumed dead.
    await fakeHolder(path, { host: "rig-07", pid: 4242, token: "t", since: 0 }, 0);
    const beat = setInterval(() => {
      const now = new Date();
      void utimes(join(path, "owner.json"), now, now).catch(() => undefined);
    }, 50);
    try {
      const err = await cache.openEntry(meta).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(LockTimeoutError);
      const waited = Number(/after (\d+) ms/.exec((err as Error).message)?.[1]);
      expect(waited).toBeGreaterThanOrEqual(500);
    } finally {
      clearInterval(beat);
    }
  });

  it("recovers the lock of a process killed while holding it", async () => {
    const out = compileForChild(["replay/sources", "test/replay/sources/children"]);
    const path = join(root, "d.lock");
    const script = join(out, "test/replay/sources/children/lockHolder.js");
    const { child, done } = await startChild(process.execPath, [script, path], /^locked /);
    expect(await DirLock.tryAcquire(path)).toBeUndefined();
    child.kill("SIGKILL");
    expect((await done).signal).toBe("SIGKILL");

    const lock = await DirLock.acquire(path, { staleMs: 60_000, timeoutMs: 5000 });
    expect(lock.owner.pid).toBe(process.pid);
    await lock.release();
    await rm(out, { recursive: true, force: true });
  });

  it("notices that its lock was taken over", async () => {
    const path = join(root, "e.lock");
    const lock = await DirLock.acquire(path);
    await rm(path, { recursive: true });
    await fakeHolder(path, { host: "rig-07", pid: 1, token: "other", since: 0 }, 0);
    await lock.release();
    expect(lock.lost).toBe(true);
  });
});

describe("Lease", () => {
  it("counts live leases and drops those of dead processes", async () => {
    const dir = join(root, "leases");
    const mine = await Lease.take(dir, 1000);
    const dead = await runChild(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
    const host = (await import("node:os")).hostname();
    await writeFile(join(dir, `${host}.dead.lease`),
      JSON.stringify({ host, pid: Number(dead.stdout), token: "x", since: 0 }));
    await writeFile(join(dir, "far.old.lease"),
      JSON.stringify({ host: "rig-07", pid: 5, token: "y", since: 0 }));
    const old = new Date(Date.now() - 600_000);
    await utimes(join(dir, "far.old.lease"), old, old);

    const live = await liveLeases(dir, 60_000);
    expect(live.map((o) => o.pid)).toEqual([process.pid]);
    await mine.release();
    expect(await liveLeases(dir, 60_000)).toEqual([]);
  });
});
