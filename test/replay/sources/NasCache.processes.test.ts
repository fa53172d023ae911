import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NasCache } from "../../../replay/sources/NasCache.js";
import { compileForChild } from "../../support/compileForChild.js";
import { runChild } from "../../support/childProcess.js";
import { dataPath, hasShared } from "../../support/sharedData.js";
import { startS3rver, type RunningS3rver } from "../../support/startS3rver.js";

const log = "mf4/api-examples__7512BE4D_00000427_00000001.MF4";

interface ChildReport {
  sha256: string;
  stats: { bytesFromCache: number; bytesFromS3: number };
  warnings: { reason: string; message: string }[];
}

/** A private mount namespace lets a test give one child a tiny, really full tmpfs. */
const canMountTmpfs = spawnSync("unshare",
  ["-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /tmp && echo ok"]).stdout?.toString()
  .trim() === "ok";

/** The same, for a read-only bind mount (a rig's view of a NAS another host fills). */
const canMountReadOnly = spawnSync("unshare", ["-rm", "sh", "-c",
  "mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp && echo ok"]).stdout?.toString()
  .trim() === "ok";

describe.skipIf(!hasShared)("NasCache shared by several processes", () => {
  let s3: RunningS3rver;
  let out: string;
  let root: string;
  let sha256: string;
  let size: number;

  beforeAll(async () => {
    s3 = await startS3rver(["drive-logs"]);
    const bytes = readFileSync(dataPath(log));
    size = bytes.length;
    sha256 = createHash("sha256").update(bytes).digest("hex");
    await s3.put("drive-logs", log, bytes);
    out = compileForChild(["replay/sources", "drivers/fs", "test/replay/sources/children"]);
    root = await mkdtemp(join(tmpdir(), "roadrig-cache-mp-"));
  });
  afterAll(async () => {
    await s3.close();
    await rm(out, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  });

  function reader(cacheDir: string, order: string, prefix: string[] = []) {
    const job = {
      url: `s3://drive-logs/${log}`, endpoint: s3.endpoint, cacheDir,
      chunkBytes: 64 * 1024, flushBytes: 128 * 1024, order,
    };
    const script = join(out, "test/replay/sources/children/cacheReader.js");
    const [cmd, ...args] = [...prefix, process.execPath, script, JSON.stringify(job)];
    return runChild(cmd ?? "", args).then((r) => {
      if (r.code !== 0) throw new Error(`reader failed (${r.code}): ${r.stderr}`);
      return JSON.parse(r.stdout) as ChildReport;
    });
  }

  it("lets three processes fill one entry at once into one verified, complete entry", async () => {
    const cacheDir = join(root, "shared");
    const reports = await Promise.all(["forward", "backward", "interleaved"]
      .map((order) => reader(cacheDir, order)));

    for (const r of reports) {
      expect(r.sha256).toBe(sha256);
      expect(r.warnings, JSON.stringify(r.warnings)).toEqual([]);
      expect(r.stats.bytesFromCache + r.stats.bytesFromS3).toBe(size);
    }
    const status = await new NasCache({ dir: cacheDir }).status();
    expect(status.entries).toHaveLength(1);
    expect(status.entries[0]).toMatchObject({ complete: true, inUse: 0, filledBytes: size });
    const data = await readFile(join(status.entries[0]?.dir ?? "", "data"));
    expect(createHash("sha256").update(data).digest("hex")).toBe(sha256);

    const warm = await reader(cacheDir, "forward");
    expect(warm.stats).toMatchObject({ bytesFromCache: size, bytesFromS3: 0 });
  });

  it.skipIf(!canMountTmpfs)("goes on from S3 and says so when the cache disk is full", async () => {
    // Mounted only inside the child's own mount namespace; here it stays an empty folder.
    const cacheDir = join(root, "full");
    const mount = `mkdir -p ${cacheDir} && mount -t tmpfs -o size=256k tmpfs ${cacheDir} && exec "$@"`;
    const report = await reader(cacheDir, "forward", ["unshare", "-rm", "sh", "-c", mount, "sh"]);

    expect(report.sha256).toBe(sha256);
    expect(report.warnings.map((w) => w.reason)).toEqual(["no-space"]);
    expect(report.warnings[0]?.message).toContain("ENOSPC");
    // The warning names the file and where the write failed, not only Node's bare errno text.
    expect(report.warnings[0]?.message)
      .toMatch(/entries\/[0-9a-f]+\/data\.[0-9a-f-]+\.part: writing \d+ bytes at byte offset \d+: ENOSPC/);
    // Chunks written before the disk filled may still be read back from it; no more than fit.
    expect(report.stats.bytesFromCache + report.stats.bytesFromS3).toBe(size);
    expect(report.stats.bytesFromCache).toBeLessThanOrEqual(256 * 1024);
  });
  it.skipIf(!canMountReadOnly)("serves complete entries from a cache mounted read-only", async () => {
    const cacheDir = join(root, "read-only");
    await reader(cacheDir, "forward");
    const readOnly = `mount --bind ${cacheDir} ${cacheDir} && `
      + `mount -o remount,bind,ro ${cacheDir} && exec "$@"`;
    const report = await reader(cacheDir, "interleaved", ["unshare", "-rm", "sh", "-c", readOnly, "sh"]);
    expect(report.sha256).toBe(sha256);
    expect(report.warnings).toEqual([]);
    expect(report.stats).toMatchObject({ bytesFromCache: size, bytesFromS3: 0 });

    // An entry not complete there is left to S3, with a warning that names why.
    const other = join(root, "read-only-empty");
    await mkdir(other);
    const mountOther = `mount --bind ${other} ${other} && mount -o remount,bind,ro ${other} && exec "$@"`;
    const cold = await reader(other, "forward", ["unshare", "-rm", "sh", "-c", mountOther, "sh"]);
    expect(cold.sha256).toBe(sha256);
    expect(cold.warnings.map((w) => w.reason)).toEqual(["cache-error"]);
    expect(cold.warnings[0]?.message).toContain("EROFS");
    expect(cold.stats).toMatchObject({ bytesFromCache: 0, bytesFromS3: size });
  });
});
