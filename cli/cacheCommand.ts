import type { Command } from "commander";
import { stat } from "node:fs/promises";
import { createS3Client, type S3ClientOptions } from "../replay/sources/createS3Client.js";
import { lockWaitMessage } from "../replay/sources/DirLock.js";
import { listS3Objects } from "../replay/sources/listS3Objects.js";
import { NasCache, type CacheStatus, type EntryVerdict } from "../replay/sources/NasCache.js";
import { prefetchToCache, type PrefetchResult } from "../replay/sources/prefetchToCache.js";
import { readPlaylist } from "../replay/sources/readPlaylist.js";
import { planCache, type CachePlan } from "./cache/planCache.js";
import { PrefetchProgressBar } from "./cache/PrefetchProgressBar.js";
import {
  formatBandwidth, formatDuration, formatSize, parseBandwidth, parseDuration, parseSize,
} from "./cache/units.js";
import { createLogger } from "./logger.js";
import { addS3ClientFlags, s3ClientOptionsOf, type S3ClientFlags } from "./s3ClientFlags.js";
import { UsageError } from "./UsageError.js";
import { signalExitCode } from "./replay/signalExitCode.js";

/** Where the cache commands write: data on `out`, progress and logs on `err`. */
export interface CacheCommandIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream & { isTTY?: boolean };
}

interface PrefetchFlags extends S3ClientFlags {
  cacheDir?: string;
  parallel: string;
  maxCacheSize?: string;
  json?: boolean;
}

/** Adds `roadrig cache prefetch | status | verify | plan`. */
export function registerCacheCommand(
  program: Command,
  io: CacheCommandIo = { out: process.stdout, err: process.stderr },
): void {
  const cache = program.command("cache").description("fill, inspect and size the NAS cache of S3 logs");
  addS3ClientFlags(cache.command("prefetch"))
    .description("copy logs from S3 into the cache ahead of a replay")
    .argument("<source>", "s3://bucket/prefix, or a playlist file with one s3:// URL per line")
    .option("--cache-dir <dir>", "the cache directory (env ROADRIG_CACHE_DIR)")
    .option("--parallel <n>", "objects fetched at once", "2")
    .option("--max-cache-size <size>", "evict least recently used entries beyond this, e.g. 2TB")
    .option("--json", "print the result as JSON")
    .action(async (source: string, flags: PrefetchFlags) => runPrefetch(source, flags, io));
  cache.command("status")
    .description("list the cache's entries, filled bytes and readers")
    .option("--cache-dir <dir>", "the cache directory (env ROADRIG_CACHE_DIR)")
    .option("--json", "print JSON")
    .action(async (flags: { cacheDir?: string; json?: boolean }) => {
      const dir = cacheDirOf(flags.cacheDir);
      // As verify: a mistyped --cache-dir is no empty cache.
      await existingCacheDir(dir);
      const status = await cacheStatus(dir);
      io.out.write(flags.json === true ? `${statusJson(status)}\n` : renderStatus(status));
      // Entries it could not read make the figures incomplete: exit 1, as verify does.
      if (status.unreadable.length > 0) process.exitCode = 1;
    });
  cache.command("verify")
    .description("read every complete entry against its block sums; discard any that changed on disk")
    .option("--cache-dir <dir>", "the cache directory (env ROADRIG_CACHE_DIR)")
    .option("--json", "print JSON")
    .action(async (flags: { cacheDir?: string; json?: boolean }) => {
      const dir = cacheDirOf(flags.cacheDir);
      await existingCacheDir(dir);
      const verdicts = await new NasCache({ dir }).verify((v) => {
        if (flags.json !== true) io.out.write(`${renderVerdict(v)}\n`);
      });
      const bad = verdicts.filter((v) => v.verdict === "corrupt").length;
      const unreadable = verdicts.filter((v) => v.verdict === "unreadable").length;
      const checked = verdicts.length - unreadable;
      if (flags.json === true) io.out.write(`${JSON.stringify({ entries: verdicts })}\n`);
      else {
        io.out.write(`${checked} complete entries checked, ${bad} corrupt` +
          `${unreadable > 0 ? `, ${unreadable} could not be read` : ""}\n`);
      }
      // A corrupt entry, or one nobody could check, is news for whoever runs this from cron.
      if (bad > 0 || unreadable > 0) process.exitCode = 1;
    });
  cache.command("plan")
    .description("link throughput and cache size for replaying a data set within an interval")
    .requiredOption("--data-set-size <size>", "bytes to replay, e.g. 40TB")
    .requiredOption("--interval <duration>", "time to replay it in, e.g. 8h")
    .option("--link <bandwidth>", "the S3 link at hand, e.g. 10Gbit/s")
    .option("--json", "print JSON")
    .action((flags: { dataSetSize: string; interval: string; link?: string; json?: boolean }) => {
      const plan = cachePlanFromFlags(flags);
      io.out.write(flags.json === true ? `${JSON.stringify(plan)}\n` : renderPlan(plan));
    });
}

/** The URLs named by a prefetch source: an S3 prefix is listed, a file is read as a playlist. */
export async function resolvePrefetchSource(
  source: string,
  s3: S3ClientOptions = {},
): Promise<string[]> {
  if (source.startsWith("s3://")) {
    const client = createS3Client(s3);
    try {
      return (await listS3Objects(client, source)).map((o) => o.url);
    } finally {
      client.destroy();
    }
  }
  const info = await stat(source).catch(() => undefined);
  if (info?.isFile() !== true) {
    throw new UsageError(`${source}: neither an s3:// prefix nor a playlist file`);
  }
  return readPlaylist(source);
}

export function cacheStatus(dir: string): Promise<CacheStatus> {
  return new NasCache({ dir }).status();
}

/** Parses the plan flags (UsageError on a bad unit) and computes the plan. */
export function cachePlanFromFlags(
  flags: { dataSetSize: string; interval: string; link?: string },
): CachePlan {
  const size = usage(() => parseSize(flags.dataSetSize), "--data-set-size");
  const interval = usage(() => parseDuration(flags.interval), "--interval");
  const { link: linkText } = flags;
  const link = linkText === undefined ? undefined : usage(() => parseBandwidth(linkText), "--link");
  return planCache(size, interval, link);
}

async function runPrefetch(
  source: string,
  flags: PrefetchFlags,
  io: CacheCommandIo,
): Promise<void> {
  const parallel = Number(flags.parallel);
  if (!Number.isInteger(parallel) || parallel < 1) {
    throw new UsageError(`--parallel: expected a whole number above 0, found ${flags.parallel}`);
  }
  const maxBytes = flags.maxCacheSize === undefined ? undefined
    : usage(() => parseSize(flags.maxCacheSize ?? ""), "--max-cache-size");
  const dir = cacheDirOf(flags.cacheDir);
  const s3 = s3OptionsOf(flags, parallel);
  const urls = await resolvePrefetchSource(source, s3);
  if (urls.length === 0) {
    // A mistyped prefix lists nothing: that is no successful prefetch.
    throw Object.assign(new Error(`${source}: no objects to prefetch (an empty prefix or playlist)`),
      { code: "E_NOTHING_TO_PREFETCH" });
  }
  const log = createLogger();
  const client = createS3Client(s3);
  const bar = io.err.isTTY === true ? new PrefetchProgressBar(io.err) : undefined;
  let result: PrefetchResult;
  // Why the cache was given up for an object: a prefetch that cached nothing failed at its job.
  const givenUp = new Map<string, string>();
  // Ctrl-C or SIGTERM stops the prefetch cleanly: what was written is recorded for the next one.
  const stop = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    stoppedBy ??= signal;
    stop.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    result = await prefetchToCache(urls, {
      cache: new NasCache({
        dir,
        ...(maxBytes === undefined ? {} : { maxBytes }),
        onLockWait: (wait) => log.warn({ lock: wait.path }, lockWaitMessage(wait)),
      }),
      client,
      parallel,
      signal: stop.signal,
      onProgress: (p) => bar?.update(p),
      onWarning: (warning) => {
        if (!givenUp.has(warning.source)) givenUp.set(warning.source, warning.message);
        log.warn({ warning }, "NAS cache given up for a source");
      },
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    bar?.done();
    client.destroy();
  }
  io.out.write(flags.json === true ? `${prefetchJson(result)}\n` : renderPrefetchResult(result));
  if (stoppedBy !== undefined) {
    throw Object.assign(new Error(`prefetch stopped by ${stoppedBy}: ${result.done.length} of ` +
      `${urls.length} objects done; the bytes written are kept for the next prefetch`),
    { code: "E_INTERRUPTED", exitCode: signalExitCode(stoppedBy) });
  }
  if (result.failed.length > 0) {
    // A missing object or an unreachable store is the input's trouble: a code, so no stack.
    throw Object.assign(new Error(`${result.failed.length} of ${urls.length} objects failed: ` +
      result.failed.map((f) => f.error.message).join("; ")), { code: "E_PREFETCH_FAILED" });
  }
  const uncached = result.done.filter((o) => !o.cached);
  if (uncached.length > 0) {
    // A code: the environment's trouble (a full or read-only cache), shown without a stack.
    throw Object.assign(new Error(`${uncached.length} of ${urls.length} objects were read from ` +
      `S3 but not cached in ${dir}: ` +
      uncached.map((o) => `${o.url}: ${givenUp.get(o.url) ?? "the cache was given up"}`).join("; ")),
    { code: "E_NOT_CACHED" });
  }
}

function s3OptionsOf(flags: S3ClientFlags, parallel: number): S3ClientOptions {
  return { maxSockets: Math.max(64, parallel * 16), ...s3ClientOptionsOf(flags) };
}

function cacheDirOf(flag: string | undefined): string {
  const dir = flag ?? process.env.ROADRIG_CACHE_DIR;
  if (dir === undefined || dir === "") throw new UsageError("--cache-dir (or ROADRIG_CACHE_DIR) is required");
  return dir;
}

/**
 * A cache to check must be there: a mistyped --cache-dir would otherwise pass as an empty,
 * healthy cache ("0 complete entries checked, 0 corrupt", exit 0).
 */
async function existingCacheDir(dir: string): Promise<void> {
  const found = await stat(dir).catch((err: NodeJS.ErrnoException) => err);
  const code = found instanceof Error ? found.code ?? "ENOENT" : found.isDirectory() ? "" : "ENOTDIR";
  if (code === "") return;
  const what = code === "ENOTDIR" ? "not a directory" : code === "ENOENT" ? "no such directory" : code;
  throw Object.assign(new Error(`--cache-dir ${dir}: ${what}`), { code });
}

function usage<T>(parse: () => T, flag: string): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(`${flag}: ${(err as Error).message}`);
  }
}

function renderPlan(plan: CachePlan): string {
  const lines = [
    `data set      ${formatSize(plan.dataSetBytes)} in ${formatDuration(plan.intervalSeconds)}`,
    `link needed   ${formatBandwidth(plan.linkBitsPerSecond)} to stream it all from S3`,
  ];
  if (plan.availableLinkBitsPerSecond !== undefined) {
    lines.push(`link at hand  ${formatBandwidth(plan.availableLinkBitsPerSecond)}`);
  }
  lines.push(`cache size    ${formatSize(plan.cacheBytes)}` +
    (plan.availableLinkBitsPerSecond === undefined ? " (no --link: everything cached)" : ""));
  return `${lines.join("\n")}\n`;
}

function renderStatus(status: CacheStatus): string {
  const limit = Number.isFinite(status.maxBytes) ? ` of ${formatSize(status.maxBytes)}` : "";
  const lines = status.entries
    .sort((a, b) => b.lastUsed.getTime() - a.lastUsed.getTime())
    .map((e) => {
      const pct = e.size === 0 ? 100 : (100 * e.filledBytes) / e.size;
      const state = e.complete ? "complete" : `${pct.toFixed(1)}%`;
      return `s3://${e.bucket}/${e.key}  ${formatSize(e.size)}  ${state}  ` +
        `readers ${e.inUse}  used ${e.lastUsed.toISOString()}`;
    });
  for (const u of status.unreadable) lines.push(`${u.dir}  UNREADABLE: ${u.problem}`);
  const unreadable = status.unreadable.length > 0
    ? ` (${status.unreadable.length} more could not be read)` : "";
  lines.push(`${status.entries.length} entries${unreadable}, ${formatSize(status.usedBytes)}` +
    `${limit} in ${status.dir}`);
  return `${lines.join("\n")}\n`;
}

function renderVerdict(v: EntryVerdict): string {
  if (v.verdict === "unreadable") {
    const name = v.bucket === undefined ? v.dir : `s3://${v.bucket}/${v.key ?? ""}`;
    return `${name}  UNREADABLE: ${v.problem}`;
  }
  return `s3://${v.bucket}/${v.key}  ${formatSize(v.size)}  ${v.verdict === "ok" ? "ok"
    : `CORRUPT, ${v.discarded === false ? "not discarded" : "discarded"}: ${v.problem ?? ""}`}`;
}

function statusJson(status: CacheStatus): string {
  return JSON.stringify({
    ...status,
    maxBytes: Number.isFinite(status.maxBytes) ? status.maxBytes : null,
  });
}

function renderPrefetchResult(result: PrefetchResult): string {
  const lines = result.done.map((o) =>
    `${o.url}  ${formatSize(o.size)}  fetched ${formatSize(o.fetchedBytes)}` +
    (o.cached ? "" : "  (not cached)"));
  for (const f of result.failed) lines.push(`${f.url}  FAILED  ${f.error.message}`);
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function prefetchJson(result: PrefetchResult): string {
  return JSON.stringify({
    done: result.done,
    failed: result.failed.map((f) => ({ url: f.url, error: f.error.message })),
  });
}
