import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirLock } from "../../../replay/sources/DirLock.js";
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
