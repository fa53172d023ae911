import { Command } from "commander";
import { mkdtemp, open as openFile, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerCacheCommand } from "../../cli/cacheCommand.js";
import { UsageError } from "../../cli/UsageError.js";
import { s3rverCredentials, startS3rver, type RunningS3rver } from "../support/startS3rver.js";

function setup() {
  const out = new PassThrough();
  const err = new PassThrough();
  let text = "";
  out.on("data", (d: Buffer) => (text += d.toString()));
  err.resume();
  const program = new Command("roadrig").exitOverride();
  registerCacheCommand(program, { out, err });
  return {
    run: (...args: string[]) => program.parseAsync(["node", "roadrig", ...args]),
    output: () => text,
  };
}

describe("roadrig cache plan", () => {
  it("prints the link needed and the cache size", async () => {
    const cli = setup();
    await cli.run("cache", "plan", "--data-set-size", "40TB", "--interval", "8h", "--link", "10Gbit/s");
    expect(cli.output()).toContain("link needed   11.1 Gbit/s");
    expect(cli.output()).toContain("cache size    4.00 TB");
  });

  it("prints JSON for machines", async () => {
    const cli = setup();
    await cli.run("cache", "plan", "--data-set-size", "1TB", "--interval", "1h", "--json");
    const plan = JSON.parse(cli.output()) as { cacheBytes: number; linkBitsPerSecond: number };
    expect(plan.cacheBytes).toBe(1e12);
    expect(plan.linkBitsPerSecond).toBeCloseTo(8e12 / 3600, 3);
  });

  it("refuses a bad unit as a usage error naming the flag", async () => {
    const cli = setup();
    const err = await cli.run("cache", "plan", "--data-set-size", "40 parsecs", "--interval", "8h")
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain("--data-set-size");
  });
});

describe("roadrig cache prefetch and status", () => {
  let s3: RunningS3rver;
  let root: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startS3rver(["drive-logs"]);
    await s3.put("drive-logs", "day1/a.log", new Uint8Array(300_000).fill(7));
    await s3.put("drive-logs", "day1/b.log", new Uint8Array(5000).fill(9));
    await s3.put("drive-logs", "day2/c.log", new Uint8Array(10).fill(1));
    root = await mkdtemp(join(tmpdir(), "roadrig-cache-cli-"));
    process.env.AWS_ACCESS_KEY_ID = s3rverCredentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3rverCredentials.secretAccessKey;
    process.env.AWS_REGION = "us-east-1";
    process.env.ROADRIG_LOG_LEVEL = "silent";
  });
  afterAll(async () => {
    process.env = saved;
    await s3.close();
    await rm(root, { recursive: true, force: true });
  });

  const s3Flags = () => ["--endpoint-url", s3.endpoint, "--force-path-style"];
  /** Runs `cache prefetch source --cache-dir dir` on `cli`; the error it failed with, if any. */
  const prefetchError = (cli: ReturnType<typeof setup>, source: string, dir: string) =>
    cli.run("cache", "prefetch", source, "--cache-dir", dir, ...s3Flags())
      .then(() => undefined, (e: unknown) => e);

  /** Each entry's folder by key, as `cache status --json` lists them. */
  async function entryDirs(dir: string): Promise<(key: string) => string> {
    const status = setup();
    await status.run("cache", "status", "--cache-dir", dir, "--json");
    type Listed = { entries: { key: string; dir: string }[] };
    const entries = (JSON.parse(status.output()) as Listed).entries;
    return (key) => entries.find((e) => e.key === key)?.dir ?? "";
  }

  /** `cache verify --json` on a cache where it must find trouble (exit 1): verdicts by key. */
  async function verifyFindingTrouble(dir: string) {
    const found = setup();
    try {
      await found.run("cache", "verify", "--cache-dir", dir, "--json");
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = undefined;
    }
    type Verdicts = { entries: { key: string; verdict: string; problem?: string }[] };
    return (JSON.parse(found.output()) as Verdicts).entries
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  it("fills the cache from a prefix and reports it in status", async () => {
    const dir = join(root, "a");
    const cli = setup();
    await cli.run("cache", "prefetch", "s3://drive-logs/day1/", "--cache-dir", dir, "--json",
      "--parallel", "2", ...s3Flags());
    const result = JSON.parse(cli.output()) as { done: { url: string; fetchedBytes: number }[] };
    expect(result.done.map((o) => o.url).sort())
      .toEqual(["s3://drive-logs/day1/a.log", "s3://drive-logs/day1/b.log"]);
    expect(result.done.map((o) => o.fetchedBytes).sort((a, b) => a - b)).toEqual([5000, 300_000]);

    const status = setup();
    await status.run("cache", "status", "--cache-dir", dir, "--json");
    const parsed = JSON.parse(status.output()) as { entries: { key: string; complete: boolean }[] };
    expect(parsed.entries.map((e) => [e.key, e.complete]).sort())
      .toEqual([["day1/a.log", true], ["day1/b.log", true]]);

    const again = setup();
    await again.run("cache", "prefetch", "s3://drive-logs/day1/", "--cache-dir", dir, "--json",
      ...s3Flags());
    const second = JSON.parse(again.output()) as { done: { fetchedBytes: number }[] };
    expect(second.done.map((o) => o.fetchedBytes)).toEqual([0, 0]);
  });

  it("reads a playlist and fails the run when an object is missing", async () => {
    const playlist = join(root, "playlist.txt");
    await writeFile(playlist, "# tonight\ns3://drive-logs/day2/c.log\n\ns3://drive-logs/day2/gone.log\n");
    const cli = setup();
    const err = await prefetchError(cli, playlist, join(root, "b"));
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain("1 of 2 objects failed");
    // A code marks it as the input's trouble: the CLI shows it without a stack trace.
    expect(err).toMatchObject({ code: "E_PREFETCH_FAILED" });
    expect((err as Error).message).toContain("s3://drive-logs/day2/gone.log");
    expect(cli.output()).toContain("s3://drive-logs/day2/c.log  10 B  fetched 10 B");
  });

  it("verify reads complete entries against their block sums and discards a changed one", async () => {
    const dir = join(root, "v");
    await setup().run("cache", "prefetch", "s3://drive-logs/day1/", "--cache-dir", dir, ...s3Flags());
    const clean = setup();
    await clean.run("cache", "verify", "--cache-dir", dir);
    expect(clean.output()).toContain("2 complete entries checked, 0 corrupt");
    expect(process.exitCode ?? 0).toBe(0);

    const big = (await entryDirs(dir))("day1/a.log");
    const handle = await openFile(join(big, "data"), "r+");
    await handle.write(Uint8Array.of(8), 0, 1, 299_999);
    await handle.close();

    const verdicts = await verifyFindingTrouble(dir);
    expect(verdicts.map((v) => [v.key, v.verdict]))
      .toEqual([["day1/a.log", "corrupt"], ["day1/b.log", "ok"]]);
    expect(verdicts[0]?.problem)
      .toMatch(/data: at byte offset 262144: block 4 \(bytes 262144 to 300000\)/);

    const refill = setup();
    await refill.run("cache", "prefetch", "s3://drive-logs/day1/", "--cache-dir", dir, "--json",
      ...s3Flags());
    type Done = { done: { url: string; fetchedBytes: number }[] };
    const fetched = (JSON.parse(refill.output()) as Done).done;
    expect(fetched.find((o) => o.url.endsWith("a.log"))?.fetchedBytes).toBe(300_000);
    const after = setup();
    await after.run("cache", "verify", "--cache-dir", dir);
    expect(after.output()).toContain("2 complete entries checked, 0 corrupt");
  });

  it.each(["verify", "status"])("%s fails on a cache dir that is not there or not a directory, naming it", async (command) => {
    for (const [dir, what] of [[join(root, `no-such-${command}-cache`), "no such directory"],
      [join(root, `a-${command}-file`), "not a directory"]] as const) {
      if (what === "not a directory") await writeFile(dir, "x");
      const cli = setup();
      const err = await cli.run("cache", command, "--cache-dir", dir)
        .then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(UsageError);
      expect((err as Error).message).toBe(`--cache-dir ${dir}: ${what}`);
      expect(err).toHaveProperty("code");
      expect(cli.output()).toBe("");
    }
  });

  it("verify reports and discards a published data file of the wrong size or without usable sums", async () => {
    const dir = join(root, "w");
    await setup().run("cache", "prefetch", "s3://drive-logs/day1/", "--cache-dir", dir, ...s3Flags());
    const dirOf = await entryDirs(dir);
    await truncate(join(dirOf("day1/a.log"), "data"), 200_000);
    await rm(join(dirOf("day1/b.log"), "sums"));

    const verdicts = await verifyFindingTrouble(dir);
    expect(verdicts.map((v) => [v.key, v.verdict]))
      .toEqual([["day1/a.log", "corrupt"], ["day1/b.log", "corrupt"]]);
    expect(verdicts[0]?.problem).toContain(`${join(dirOf("day1/a.log"), "data")}: 200000 bytes, expected 300000`);
    expect(verdicts[1]?.problem).toContain(`${join(dirOf("day1/b.log"), "sums")}: ENOENT`);
    for (const key of ["day1/a.log", "day1/b.log"]) {
      expect((await readdir(dirOf(key))).filter((n) => n.startsWith("data") || n === "sums")).toEqual([]);
    }

    const refill = setup();
    await refill.run("cache", "prefetch", "s3://drive-logs/day1/", "--cache-dir", dir, ...s3Flags());
    const after = setup();
    await after.run("cache", "verify", "--cache-dir", dir);
    expect(after.output()).toContain("2 complete entries checked, 0 corrupt");
    expect(process.exitCode ?? 0).toBe(0);
  });

  it("fails a prefetch whose objects could not be cached, saying where and why", async () => {
    const notADir = join(root, "plain-file");
    await writeFile(notADir, "x");
    const dir = join(notADir, "cache");
    const cli = setup();
    const err = await prefetchError(cli, "s3://drive-logs/day1/", dir);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`2 of 2 objects were read from S3 but not cached in ${dir}`);
    expect((err as Error).message).toContain("s3://drive-logs/day1/a.log: ");
    expect((err as Error).message).toContain(`${notADir} exists and is not a directory`);
    expect(err).toMatchObject({ code: "E_NOT_CACHED" });
    expect(cli.output()).toContain("(not cached)");
  });

  it("fails a prefetch that names no object (an empty prefix or playlist), naming the source", async () => {
    const playlist = join(root, "empty-playlist.txt");
    await writeFile(playlist, "# nothing tonight\n\n");
    for (const source of ["s3://drive-logs/day9/", playlist]) {
      const cli = setup();
      const err = await prefetchError(cli, source, join(root, "e"));
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain(source);
      expect((err as Error).message).toContain("no objects to prefetch");
      expect(err).toMatchObject({ code: "E_NOTHING_TO_PREFETCH" });
    }
  });

  it("refuses a playlist with a bad line as the input's trouble, naming file and line", async () => {
    const playlist = join(root, "bad-playlist.txt");
    await writeFile(playlist, "s3://drive-logs/day2/c.log\nhttp://elsewhere/x.log\n");
    const cli = setup();
    const err = await prefetchError(cli, playlist, join(root, "p"));
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(new RegExp(`^${playlist}:2: http://elsewhere/x.log: not an S3 URL`));
    // A code: the CLI shows it without a stack trace.
    expect(err).toMatchObject({ code: "E_PLAYLIST" });
  });

  it("fails a prefix whose bucket is not there, naming the URL", async () => {
    const cli = setup();
    const err = await prefetchError(cli, "s3://no-such-bucket/day1/", join(root, "nb"));
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^s3:\/\/no-such-bucket\/day1\/: listing failed: /);
    expect(err).toMatchObject({ code: "E_S3_LIST" });
  });

  it("refuses a source that is neither a prefix nor a file", async () => {
    const cli = setup();
    await expect(cli.run("cache", "prefetch", join(root, "nope.txt"), "--cache-dir", root))
      .rejects.toBeInstanceOf(UsageError);
  });
});
