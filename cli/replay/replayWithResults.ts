import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import type { S3ClientOptions } from "../../replay/sources/createS3Client.js";
import type { ReplaySummary } from "../../replay/ReplaySummary.js";
import { ResultsBundle } from "../../replay/results/ResultsBundle.js";
import { parseResultsTarget, type ResultsTarget } from "../../replay/results/ResultsTarget.js";
import { RunRecord } from "../../replay/results/RunRecord.js";
import { newRunId } from "../../replay/results/runId.js";
import type { ReplayFlags } from "../replayCommand.js";
import { s3ClientOptionsOf } from "../s3ClientFlags.js";
import { decimalNumber } from "../decimalNumber.js";
import { UsageError } from "../UsageError.js";
import { InterruptedError } from "./InterruptedError.js";
import { signalExitCode } from "./signalExitCode.js";
import { captureFormatOf } from "./captureFlags.js";
import { UploadProgressLine } from "./UploadProgressLine.js";
import { streamingFields } from "./warnOnUnderruns.js";

export interface ReplayHooks {
  /** The program's logger, also writing to `alsoTo` (the bundle's run.log) when given. */
  logger(alsoTo?: string): Logger;
  /**
   * `stop` is aborted (reason: the signal's name) by a SIGINT/SIGTERM that comes before the
   * replay's own handler is set.
   */
  run(
    flags: ReplayFlags,
    log: Logger,
    record: RunRecord,
    stop: AbortSignal,
  ): Promise<ReplaySummary | undefined>;
  report(summary: ReplaySummary, log: Logger, extra: Record<string, unknown>): void;
}

/** Tries per request of the upload, through the SDK's standard retry strategy. */
const UPLOAD_ATTEMPTS = 4;

/**
 * A replay with its results: with `--results`, a bundle folder (capture, report.json, run.log)
 * written whatever the outcome, signals included, and uploaded to S3 for an s3:// target. The
 * first SIGINT/SIGTERM stops the replay (the replay's own handler, or `stop` for one while the
 * logs are still opening: the replay then plays nothing); one during the upload aborts it. A
 * run a signal stopped exits 130 or 143 once its summary and bundle are out. A failed upload
 * keeps the bundle, says where, and exits 1.
 */
export async function replayWithResults(
  logs: string[],
  flags: ReplayFlags,
  hooks: ReplayHooks,
): Promise<void> {
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const target = flags.results === undefined ? undefined : resultsTarget(flags.results);
  const timeoutMs = seconds("--results-timeout", flags.resultsTimeout ?? "120") * 1000;
  const bundle = target && await ResultsBundle.create(bundleParent(target), runId);
  const runFlags = withCaptureFile(flags, bundle);
  const log = hooks.logger(bundle?.logPath);
  const record = new RunRecord();
  const interrupt = new AbortController();
  const stop = new AbortController();
  let replaying = true;
  const onSignal = (signal: NodeJS.Signals) => {
    // The reason is the signal's name: a run stopped before it began says which one.
    if (replaying) stop.abort(signal);
    else interrupt.abort(new Error(`${signal} during the results upload`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const { summary, interrupted } = await runAndRecord(logs, runFlags, hooks, log, record, bundle,
      stop.signal);
    const streaming = record.readsS3 ? { streaming: streamingFields(record.streaming()) } : {};
    const stoppedBy = record.signal === undefined ? {} : { signal: record.signal };
    if (summary) hooks.report(summary, log, { ...stoppedBy, ...streaming });
    replaying = false;
    // Stopped by a signal mid-run: the summary and the bundle are out, then the shell learns it
    // was interrupted (a script's `roadrig replay ... && next` does not go on), whatever else
    // failed (an upload, an output): the log and the report say what.
    const signalled = record.signal === undefined ? undefined : signalExitCode(record.signal);
    if (signalled !== undefined) process.exitCode = signalled;
    if (!bundle || !target) return;
    await bundle.writeReport(record.report({
      runId, startedAt, endedAt: new Date(), options: optionsOf(logs, runFlags),
    }));
    if (target.kind === "s3") {
      // A timer of our own, not AbortSignal.timeout(): Node 20 lets the garbage collector take
      // a timeout signal that only AbortSignal.any() refers to, and it then never fires.
      const timer = setTimeout(() => interrupt.abort(
        new Error(`no answer within --results-timeout ${timeoutMs / 1000} s`)), timeoutMs);
      try {
        await upload(bundle, target, log, interrupt.signal, s3ClientOptionsOf(flags));
      } finally {
        clearTimeout(timer);
      }
    } else log.info({ dir: bundle.dir, runId }, "results bundle written");
    if (interrupted) throw interrupted;
    if (record.errors.length > 0) process.exitCode = 1;
    if (signalled !== undefined) process.exitCode = signalled;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/**
 * Runs the replay; with a bundle, a failure is logged (into run.log too) and recorded for the
 * report instead of thrown, so that the bundle still gets written and uploaded. A signal that
 * stopped the run before it began is returned, to be thrown once the bundle is done.
 */
async function runAndRecord(
  logs: string[],
  flags: ReplayFlags,
  hooks: ReplayHooks,
  log: Logger,
  record: RunRecord,
  bundle: ResultsBundle | undefined,
  stop: AbortSignal,
): Promise<{ summary?: ReplaySummary | undefined; interrupted?: InterruptedError }> {
  try {
    return { summary: await hooks.run(flags, log, record, stop) };
  } catch (err) {
    if (!bundle) throw err;
    if (err instanceof UsageError) {
      await rm(bundle.dir, { recursive: true, force: true });
      throw err;
    }
    record.addError(err);
    if (err instanceof InterruptedError) {
      // The user's signal, not a bug: no stack trace. Logged here (into run.log too), it is
      // thrown again once the bundle is written, for the signal's exit code.
      err.logged = true;
      log.error({ err: { type: err.name, code: err.code }, logs }, err.message);
      return { interrupted: err };
    }
    log.error({ err, logs }, err instanceof Error ? err.message : String(err));
    return {};
  }
}

async function upload(
  bundle: ResultsBundle,
  target: Extract<ResultsTarget, { kind: "s3" }>,
  log: Logger,
  signal: AbortSignal,
  s3: S3ClientOptions,
): Promise<void> {
  const prefix = { bucket: target.prefix.bucket, key: `${target.prefix.key}${bundle.runId}/` };
  const url = `s3://${prefix.bucket}/${prefix.key}`;
  const files = await bundle.files();
  log.info({ url, files: files.length, bundle: bundle.dir }, "uploading results");
  // The SDK too is loaded only here: a replay that does not upload never needs it.
  const { createS3Client } = await import("../../replay/sources/createS3Client.js");
  const client = createS3Client({ maxAttempts: UPLOAD_ATTEMPTS, ...s3 });
  const line = process.stderr.isTTY ? new UploadProgressLine(process.stderr) : undefined;
  try {
    // Loaded here: the multipart uploader costs every replay's start-up, most never upload.
    const { uploadBundle } = await import("../../replay/results/uploadBundle.js");
    await uploadBundle(files, prefix, bundle.dir, {
      client,
      signal,
      ...(line ? { onProgress: (p) => line.update(p) } : {}),
    });
    line?.done();
    log.info({ url, runId: bundle.runId }, "results uploaded");
    await rm(bundle.dir, { recursive: true, force: true });
  } catch (err) {
    line?.done();
    log.error({ err, bundle: bundle.dir }, `results upload failed; bundle kept in ${bundle.dir}`);
    process.exitCode = 1;
  } finally {
    client.destroy();
  }
}

function resultsTarget(text: string): ResultsTarget {
  try {
    return parseResultsTarget(text);
  } catch (err) {
    throw new UsageError(`--results ${text}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** An S3 bundle is made in the temporary folder, and removed from there once uploaded. */
function bundleParent(target: ResultsTarget): string {
  return target.kind === "local" ? target.dir : join(tmpdir(), "roadrig-results");
}

/** Without --capture-file, the capture goes into the bundle; given, it joins the bundle. */
function withCaptureFile(flags: ReplayFlags, bundle: ResultsBundle | undefined): ReplayFlags {
  if ((flags.capture ?? []).length === 0 || !bundle) return flags;
  if (flags.captureFile !== undefined) {
    bundle.include(flags.captureFile);
    return flags;
  }
  const format = captureFormatOf(flags);
  const captureFile = bundle.pathOf(format === "mf4" ? "capture.mf4" : "capture.log");
  return { ...flags, captureFile, captureFormat: format };
}

function optionsOf(logs: string[], flags: ReplayFlags): Record<string, unknown> {
  const { progress: _progress, ...rest } = flags;
  return { logs, ...rest };
}

function seconds(flag: string, text: string): number {
  const value = decimalNumber(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag} ${text}: expected seconds > 0`);
  }
  return value;
}
