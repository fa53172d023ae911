import { setTimeout as sleep } from "node:timers/promises";
import { captureFormats, type CaptureFormat } from "../../replay/capture/CaptureSink.js";
import { IdFilter } from "../../replay/timeline/IdFilter.js";
import { ReplayOptionError } from "../../replay/ReplayOptionError.js";
import { decimalNumber } from "../decimalNumber.js";
import { UsageError } from "../UsageError.js";

export interface CaptureFlags {
  capture?: string[];
  captureFilter?: string[];
  captureFormat?: string;
  captureFile?: string;
  captureLinger?: string;
}

export interface CaptureSettings {
  readonly targets: string[];
  readonly filter: IdFilter;
  readonly format: CaptureFormat;
  readonly path: string;
  readonly lingerMs: number;
}

/** The capture the flags ask for, checked before anything opens; undefined for none. */
export function parseCaptureFlags(flags: CaptureFlags): CaptureSettings | undefined {
  const targets = flags.capture ?? [];
  if (targets.length === 0) return undefined;
  const format = captureFormatOf(flags);
  const linger = decimalNumber(flags.captureLinger ?? "0.5");
  if (!Number.isFinite(linger) || linger < 0) {
    throw new UsageError(`--capture-linger ${flags.captureLinger}: expected seconds >= 0`);
  }
  if (flags.captureFile === undefined) {
    throw new UsageError("--capture needs --capture-file or --results (where the capture goes)");
  }
  let filter: IdFilter;
  try {
    filter = IdFilter.parse(flags.captureFilter ?? []);
  } catch (err) {
    if (err instanceof ReplayOptionError) {
      throw new UsageError(err.message.replace("--id-filter", "--capture-filter"));
    }
    throw err;
  }
  return { targets, filter, format, path: flags.captureFile, lingerMs: linger * 1000 };
}

/** `--capture-format`, else the capture file's extension (.log, .txt: candump), else MDF4. */
export function captureFormatOf(flags: CaptureFlags): CaptureFormat {
  const given = flags.captureFormat;
  if (given !== undefined) {
    if (!(captureFormats as readonly string[]).includes(given)) {
      throw new UsageError(`--capture-format ${given}: expected ${captureFormats.join(" or ")}`);
    }
    return given as CaptureFormat;
  }
  return /\.(log|txt|candump)$/i.test(flags.captureFile ?? "") ? "candump" : "mf4";
}

/** Answers to the last frames are still on their way when the replay ends. */
export async function lingerFor(ms: number): Promise<void> {
  if (ms > 0) await sleep(ms);
}
