import type { Command } from "commander";
import type { Logger } from "pino";
import type { LogReader } from "../replay/formats/LogReader.js";
import type { CutShort } from "../replay/formats/mdf4/BlockReader.js";
import type { OpenLogOptions } from "../replay/formats/openLog.js";
import { openOutput, outputForms } from "../replay/outputs/openOutput.js";
import { parseS3Url } from "../replay/sources/S3Url.js";
import { rateProblem } from "../replay/pacing/Pacer.js";
import { Replay } from "../replay/Replay.js";
import type { Capture } from "../replay/capture/Capture.js";
import { captureFormats } from "../replay/capture/CaptureSink.js";
import { captureForms } from "../replay/capture/openCaptureBus.js";
import { CountingOutput } from "../replay/results/CountingOutput.js";
import { RunRecord } from "../replay/results/RunRecord.js";
import { ReplayOptionError } from "../replay/ReplayOptionError.js";
import type { ReplayOptions } from "../replay/ReplayOptions.js";
import type { ReplaySummary } from "../replay/ReplaySummary.js";
import { ChannelMap } from "../replay/timeline/ChannelMap.js";
import { IdFilter } from "../replay/timeline/IdFilter.js";
import { timeJumpPolicies, type TimeJumpPolicy } from "../replay/timeline/TimeJumpPolicy.js";
import { endPrestartedReadWorkers } from "../replay/worker/prestartReadWorker.js";
import { WorkerLogReader } from "../replay/worker/WorkerLogReader.js";
import { createLogger, type LogFormat } from "./logger.js";
import { ProgressBar } from "./progressBar.js";
import { decimalNumber } from "./decimalNumber.js";
import { UsageError } from "./UsageError.js";
import { addS3ClientFlags, s3ClientOptionsOf, type S3ClientFlags } from "./s3ClientFlags.js";
import { applyReplayProfile, PROFILES_ENV } from "./replay/applyReplayProfile.js";
import { lingerFor, parseCaptureFlags } from "./replay/captureFlags.js";
import { replayWithResults } from "./replay/replayWithResults.js";
import { InterruptedError } from "./replay/InterruptedError.js";
import { isStopSignal } from "./replay/signalExitCode.js";
import { tuneV8 } from "./tuneV8.js";
import { warnOnUnderruns } from "./replay/warnOnUnderruns.js";
import { watchS3Retries } from "./replay/watchS3Retries.js";

export interface ReplayFlags extends S3ClientFlags {
  to: string[];
  rate: string;
  start?: string;
  duration?: string;
  loop?: string;
  maxGap?: string;
  timeJumps: string;
  offset: string[];
  channel: string[];
  idFilter: string[];
  map: string[];
  json?: boolean;
  progress: boolean;
  cacheDir?: string;
  capture?: string[];
  captureFilter?: string[];
  captureFormat?: string;
  captureFile?: string;
  captureLinger?: string;
  results?: string;
  resultsTimeout?: string;
  /** Undefined: a worker for paced runs only (see readInWorker). */
  readWorker?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const collectList = (value: string, previous: string[]): string[] =>
  [...previous, ...value.split(",").filter((v) => v !== "")];

export function registerReplayCommand(program: Command): void {
  addS3ClientFlags(program.command("replay"))
    .description("replay drive logs (MDF4, rosbag, MCAP, candump, ASC) onto CAN buses at their pace")
    .argument("<log...>", "log files or s3://bucket/key URLs, merged by absolute time")
    .option("--to <target>", `output, repeatable: ${outputForms.join(", ")}`, collect, [])
    .option("--rate <factor>", "speed factor; 0 = as fast as possible", "1")
    .option("--start <seconds>", "begin this far into the merged logs")
    .option("--duration <seconds>", "play this much log time")
    .option("--loop <n|forever>", "play the window n times, or forever")
    .option("--max-gap <seconds>", "shorten longer gaps between frames to this")
    .option("--time-jumps <policy>", "backward timestamps: error or reanchor", "error")
    .option("--offset <src=seconds>", "shift one log (path or 1-based index)", collect, [])
    .option("--channel <name>", "replay only this recorded channel, repeatable", collect, [])
    .option("--id-filter <spec>", "CAN IDs in hex: 123, 100-1FF, 100:700, 100~700, !123", collect, [])
    .option("--map <out=in>", "send channel IN's frames on OUT (canplayer's vcan0=can1)", collect, [])
    .option("--json", "print the summary as JSON")
    .option("--no-progress", "no progress line on a terminal")
    .option("--cache-dir <dir>", "read s3:// logs through this NAS cache (env ROADRIG_CACHE_DIR)")
    .option("--capture <bus,...>", `record frames received on: ${captureForms.join(", ")}`,
      collectList, [])
    .option("--capture-filter <spec>", "CAN IDs to record, as --id-filter", collect, [])
    .option("--capture-format <format>", `capture file format: ${captureFormats.join(" or ")}`)
    .option("--capture-file <path>", "capture file (default: in the results bundle)")
    .option("--capture-linger <seconds>", "keep recording this long after the last frame", "0.5")
    .option("--results <s3://bucket/prefix/|dir>", "leave a results bundle there (run-id folder)")
    .option("--results-timeout <seconds>", "longest wait for the results upload", "120")
    .option("--read-worker", "read and parse logs in a worker thread (default when paced)")
    .option("--no-read-worker", "read and parse logs on the replay's own thread")
    .option("--profile <name>", "take flags from this profile; the command line wins")
    .option("--profiles <file>", `replay profiles file (YAML; env ${PROFILES_ENV})`)
    .action(async (logs: string[], flags: ReplayFlags, command: Command) => {
      await applyReplayProfile(flags, command);
      if (flags.to.length === 0) throw new UsageError(`replay: --to is required (${outputForms.join(", ")})`);
      const opts = command.optsWithGlobals<{ logLevel?: string; logFormat?: LogFormat }>();
      await replayWithResults(logs, flags, {
        logger: (alsoTo) => createLogger({
          ...(opts.logLevel ? { level: opts.logLevel } : {}),
          ...(opts.logFormat ? { format: opts.logFormat } : {}),
          ...(alsoTo !== undefined ? { alsoTo } : {}),
        }),
        run: (runFlags, log, record, stop) =>
          runReplay(logs, runFlags, log, record, stop).catch(unlessBrokenPipe),
        report: (summary, log, extra) => reportSummary(summary, flags, log, extra),
      });
    });
}

/**
 * Opens the logs and outputs, runs the replay with keyboard and signal control, closes all.
 * `stop` aborted while the logs are opening ends the run at once (InterruptedError); during
 * the run, it stops the replay.
 */
export async function runReplay(
  logs: string[],
  flags: ReplayFlags,
  log: Logger,
  record = new RunRecord(),
  stop?: AbortSignal,
): Promise<ReplaySummary> {
  const settings = parseFlags(logs, flags);
  const capturing = parseCaptureFlags(flags);
  const readers = await unlessStopped(stop, logs, openAll(logs, await openOptions(flags, log),
    record, readInWorker(flags, settings.rate)));
  let outputs: CountingOutput[] = [];
  let capture: Capture | undefined;
  let closeFailure: Error | undefined;
  const endRetryWatch = watchS3Retries(record, log);
  try {
    outputs = usage(() => flags.to.map((t) =>
      new CountingOutput(openOutput(t, { paced: settings.rate !== 0 }))));
    record.outputs = outputs;
    const sources = readers.map((reader, i) => ({
      reader,
      ...(settings.offsets[i] !== undefined ? { offsetNs: settings.offsets[i] } : {}),
    }));
    for (const reader of readers) log.debug({ source: reader.name, format: reader.describe().format }, "log opened");
    const replay = new Replay({ ...settings.options, sources, outputs });
    // The capture's modules (the MDF4 writer among them) load only for a run that captures.
    const { openCapture } = capturing ? await import("./replay/openCapture.js") : {};
    capture = capturing && openCapture && usage(() => openCapture(capturing, replay, outputs));
    capture?.start();
    record.watch(replay);
    log.info({ sources: logs, outputs: flags.to, capture: flags.capture }, "replay started");
    // Now, not at start: a V8 flag changed makes V8 refuse Node's code cache for what loads later.
    tuneV8();
    record.summary = await withControls(replay, flags, settings.options, record, stop);
  } finally {
    if (capture && capturing) {
      await lingerFor(capturing.lingerMs);
      record.captureStats = await capture.stop();
    }
    const closed = await Promise.allSettled([...outputs.map((o) => o.close()),
      ...readers.map((r) => r.close())]);
    closeFailure = outputCloseFailure(outputs, closed);
    endRetryWatch();
    warnOnUnderruns(record, log, settings.rate !== 0);
    warnOfCutShortLogs(readers, log);
  }
  // An output whose last buffered write failed on close (a candump file on a full disk) did
  // not get every frame: the run failed, though the replay itself ended well.
  if (closeFailure !== undefined) throw closeFailure;
  const captureError = record.captureStats?.error;
  if (captureError !== undefined) {
    throw new Error(`capture to ${record.captureStats?.path}: ${captureError}`);
  }
  return record.summary;
}

/**
 * An unfinalized MDF4 log (its logger never finished it) replays what was written; where it
 * was cut off, and what was lost there, is said rather than passed over.
 */
function warnOfCutShortLogs(readers: LogReader[], log: Logger): void {
  for (const reader of readers) {
    const cuts = (reader.describe().details?.cutShort ?? []) as CutShort[];
    for (const cut of cuts) {
      log.warn({ source: reader.name, block: cut.where, offset: cut.offset },
        `${reader.name}: unfinalized log cut short: ${cut.where} at byte ${cut.offset} ` +
        `${cut.detail}; the frames before it were replayed`);
    }
  }
}

/** The first output whose close failed, as an error naming its --to target. */
function outputCloseFailure(
  outputs: CountingOutput[],
  closed: PromiseSettledResult<void>[],
): Error | undefined {
  const i = outputs.findIndex((_, k) => closed[k]?.status === "rejected");
  const result = closed[i];
  if (result === undefined || result.status !== "rejected") return undefined;
  const cause = result.reason as NodeJS.ErrnoException;
  const failure = new Error(`--to ${outputs[i]?.target ?? ""}: ${cause.message ?? String(cause)}`,
    { cause });
  return Object.assign(failure, { code: cause.code ?? "E_OUTPUT" });
}

interface ParsedFlags {
  rate: number;
  offsets: (number | undefined)[];
  options: Omit<ReplayOptions, "sources" | "outputs">;
}

function parseFlags(logs: string[], flags: ReplayFlags): ParsedFlags {
  for (const path of logs) {
    if (!path.startsWith("s3://")) continue;
    try {
      parseS3Url(path);
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
  }
  const rate = rateFlag(flags.rate);
  const twice = flags.to.find((t, i) => flags.to.indexOf(t) !== i);
  if (twice !== undefined) {
    throw new UsageError(`--to ${twice}: given twice (each frame would go out twice)`);
  }
  if (!timeJumpPolicies.includes(flags.timeJumps as TimeJumpPolicy)) {
    throw new UsageError(`--time-jumps ${flags.timeJumps}: expected ${timeJumpPolicies.join(" or ")}`);
  }
  const options: Omit<ReplayOptions, "sources" | "outputs"> = {
    rate,
    timeline: usage(() => ({
      channels: flags.channel,
      idFilter: IdFilter.parse(flags.idFilter),
      channelMap: ChannelMap.parse(flags.map),
      timeJumps: flags.timeJumps as TimeJumpPolicy,
    })),
    passes: parseLoop(flags.loop),
    ...optionalNs("startNs", "--start", flags.start),
    ...optionalNs("durationNs", "--duration", positive("--duration", flags.duration)),
    ...optionalNs("maxGapNs", "--max-gap", flags.maxGap),
  };
  return { rate, offsets: parseOffsets(logs, flags.offset), options };
}

function parseOffsets(logs: string[], specs: string[]): (number | undefined)[] {
  const offsets: (number | undefined)[] = logs.map(() => undefined);
  for (const spec of specs) {
    const eq = spec.lastIndexOf("=");
    const src = spec.slice(0, eq);
    const byIndex = /^\d+$/.test(src) ? Number(src) - 1 : -1;
    const index = byIndex >= 0 && byIndex < logs.length ? byIndex : logs.indexOf(src);
    if (eq < 0 || index < 0) {
      throw new UsageError(`--offset ${spec}: expected SRC=SECONDS, SRC a log given or its number`);
    }
    offsets[index] = Math.round(number("--offset", spec.slice(eq + 1)) * 1e9);
  }
  return offsets;
}

function parseLoop(loop: string | undefined): number {
  if (loop === undefined) return 1;
  if (loop === "forever" || loop === "i") return Infinity;
  const n = /^\d+$/.test(loop) ? Number(loop) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--loop ${loop}: expected a count >= 1 or forever`);
  return n;
}

function optionalNs<K extends string>(key: K, flag: string, value: string | undefined) {
  if (value === undefined) return {};
  return { [key]: Math.round(number(flag, value, 0) * 1e9) } as Record<K, number>;
}

/** A window of no length would still play the frame at its start: refused instead. */
function positive(flag: string, text: string | undefined): string | undefined {
  if (text !== undefined && !(decimalNumber(text) > 0)) {
    throw new UsageError(`${flag} ${text}: expected seconds > 0`);
  }
  return text;
}

function number(flag: string, text: string, min = -Infinity): number {
  const value = decimalNumber(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min) {
    throw new UsageError(`${flag} ${text}: expected a number${min > -Infinity ? ` >= ${min}` : ""}`);
  }
  return value;
}

function rateFlag(text: string): number {
  const rate = number("--rate", text, 0);
  const problem = rateProblem(rate);
  if (problem !== undefined) throw new UsageError(`--rate ${text}: ${problem}`);
  return rate;
}

/** Replay option errors are the user's: exit code 2. */
function usage<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof ReplayOptionError) throw new UsageError(err.message);
    throw err;
  }
}

/** The NAS cache's modules load only for a run through the cache. */
async function openOptions(flags: ReplayFlags, log: Logger): Promise<OpenLogOptions> {
  const s3 = { clientOptions: s3ClientOptionsOf(flags) };
  const dir = flags.cacheDir ?? process.env.ROADRIG_CACHE_DIR;
  if (dir === undefined || dir === "") return { s3 };
  const [{ NasCache }, { lockWaitMessage }] = await Promise.all([
    import("../replay/sources/NasCache.js"), import("../replay/sources/DirLock.js")]);
  return {
    s3,
    cache: new NasCache({
      dir, onLockWait: (wait) => log.warn({ lock: wait.path }, lockWaitMessage(wait)),
    }),
    onCacheWarning: (warning) => {
      // From a read worker: its cache's lock waits come as warnings.
      if (warning.reason === "lock-wait") {
        log.warn({ source: warning.source, lock: warning.lock }, warning.message);
      } else {
        log.warn({ warning }, "NAS cache given up for a source");
      }
    },
  };
}

async function openAll(
  logs: string[],
  options: OpenLogOptions,
  record: RunRecord,
  inWorker: boolean,
): Promise<LogReader[]> {
  const readers: LogReader[] = [];
  try {
    for (const path of logs) {
      if (inWorker) {
        const reader = await WorkerLogReader.open(path, options);
        readers.push(reader);
        await record.addSource(reader.source, reader);
        continue;
      }
      // Loaded here: with a read worker, the parsers load in the worker alone.
      const { openByteSource, openSource } = await import("../replay/formats/openLog.js");
      const source = await openByteSource(path, options);
      const reader = await openSource(source).catch(async (err: unknown) => {
        await source.close();
        throw err;
      });
      readers.push(reader);
      await record.addSource(source, reader);
    }
    return readers;
  } catch (err) {
    await Promise.allSettled(readers.map((r) => r.close()));
    throw err;
  } finally {
    // A worker started early (cli/prestart.ts) that no log took.
    await endPrestartedReadWorkers();
  }
}

/**
 * A paced replay reads and parses in a worker by default: parsing, inflating and their garbage
 * on the replay's thread are what makes frames late. At --rate 0 nothing waits on a deadline,
 * and the replay's thread is the bottleneck either way.
 */
function readInWorker(flags: ReplayFlags, rate: number): boolean {
  return flags.readWorker ?? rate !== 0;
}

/**
 * Space pauses and resumes on a terminal; q stops; Ctrl-C, SIGINT and SIGTERM stop cleanly too,
 * and are recorded (record.signal) for the run's exit code, once its summary and results are out.
 */
async function withControls(
  replay: Replay,
  flags: ReplayFlags,
  options: Omit<ReplayOptions, "sources" | "outputs">,
  record: RunRecord,
  stopSignal: AbortSignal | undefined,
): Promise<ReplaySummary> {
  const bar = flags.progress && process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
  const startNs = options.startNs ?? 0;
  let last = { doneNs: 0, frames: 0, pass: 0 };
  const draw = (force = false) =>
    bar?.update({ ...last, totalNs: options.durationNs, paused: replay.paused }, force);
  replay.on("progress", (p) => {
    last = { doneNs: Math.max(0, p.timeNs - startNs), frames: p.frames, pass: p.pass };
    draw();
  });
  // The first signal is the one the run ends with.
  const stop = (signal: unknown) => {
    if (isStopSignal(signal)) record.signal ??= signal;
    replay.stop();
  };
  const onAbort = () => stop(stopSignal?.reason);
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  if (stopSignal?.aborted) onAbort();
  stopSignal?.addEventListener("abort", onAbort);
  const keys = listenToKeys(replay, stop, () => draw(true));
  try {
    return await replay.run();
  } finally {
    keys();
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    stopSignal?.removeEventListener("abort", onAbort);
    bar?.done();
  }
}

function listenToKeys(
  replay: Replay,
  stop: (signal?: "SIGINT") => void,
  redraw: () => void,
): () => void {
  const stdin = process.stdin;
  if (!stdin.isTTY) return () => undefined;
  stdin.setRawMode(true);
  stdin.resume();
  const onData = (data: Buffer) => {
    const key = data.toString("latin1");
    if (key === " ") {
      if (replay.paused) replay.resume();
      else replay.pause();
      redraw();
    } else if (key === "q") stop();
    // Ctrl-C in raw mode arrives as a key, not as SIGINT: the same interrupt all the same.
    else if (key === "\u0003") stop("SIGINT");
  };
  stdin.on("data", onData);
  return () => {
    stdin.off("data", onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}

/** JSON on stdout unless an output writes there; a readable summary goes to the log. */
function reportSummary(
  summary: ReplaySummary,
  flags: ReplayFlags,
  log: Logger,
  extra: Record<string, unknown>,
): void {
  const json = { ...summaryJson(summary), ...extra };
  if (summary.frames === 0 && !summary.stopped) {
    // An empty log is no error, but a window, channel or ID selection that matches nothing
    // looks like a successful run unless it is said.
    log.warn({ start: flags.start, channel: flags.channel, idFilter: flags.idFilter,
      map: flags.map }, "no frame was replayed: the logs hold none in the selected window, " +
      "channels and IDs");
  }
  if (flags.json) {
    const toStdout = !flags.to.includes("candump:-");
    (toStdout ? process.stdout : process.stderr).write(`${JSON.stringify(json)}\n`);
    return;
  }
  log.info(json, "replay done");
}

export function summaryJson(summary: ReplaySummary): Record<string, unknown> {
  const us = (ns: number) => Math.round(ns / 10) / 100;
  const { lateness } = summary;
  return {
    frames: summary.frames,
    outputs: summary.outputs,
    skippedMessages: summary.skippedMessages,
    passes: summary.passes,
    stopped: summary.stopped,
    rate: summary.rate,
    origin: new Date(Number(summary.originNs / 1_000_000n)).toISOString(),
    wallSeconds: summary.wallNs / 1e9,
    late: summary.late,
    latenessUs: {
      count: lateness.count,
      p50: us(lateness.p50),
      p99: us(lateness.p99),
      p999: us(lateness.p999),
      max: us(lateness.max),
    },
  };
}

/** The program's logger, at the level and format the global flags ask for. */
export function commandLogger(command: Command): Logger {
  const opts = command.optsWithGlobals<{ logLevel?: string; logFormat?: LogFormat }>();
  return createLogger({
    ...(opts.logLevel ? { level: opts.logLevel } : {}),
    ...(opts.logFormat ? { format: opts.logFormat } : {}),
  });
}

/**
 * A reader of stdout that went away (`roadrig replay ... --to candump:- | head`) ends the replay
 * quietly, as candump does; any other error stands.
 */
export function unlessBrokenPipe(err: unknown): undefined {
  if ((err as { code?: unknown } | null)?.code === "EPIPE") return undefined;
  throw err;
}

/**
 * The opened readers, unless `stop` aborts first: an open can take seconds (an S3 endpoint
 * retried with backoff), and a Ctrl-C must not wait for it. The abandoned readers are closed
 * once their opening settles.
 */
async function unlessStopped<T extends { close(): Promise<void> }>(
  stop: AbortSignal | undefined,
  logs: string[],
  opening: Promise<T[]>,
): Promise<T[]> {
  if (stop === undefined) return opening;
  let onAbort = (): void => undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(new InterruptedError(String(stop.reason), `while opening ${logs.join(", ")}`));
    if (stop.aborted) onAbort();
    else stop.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([opening, stopped]);
  } catch (err) {
    if (err instanceof InterruptedError) {
      const closeAll = (readers: T[]) => Promise.allSettled(readers.map((r) => r.close()));
      void opening.then(closeAll, () => undefined);
    }
    throw err;
  } finally {
    stop.removeEventListener("abort", onAbort);
  }
}
