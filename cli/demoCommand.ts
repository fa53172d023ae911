import { existsSync, renameSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { makeDirectorySync } from "../drivers/fs/makeDirectory.js";
import type { Command } from "commander";
import { DEFAULT_SAMPLE_DURATION_S, DEFAULT_SAMPLE_SEED } from "../replay/sample/sampleDriveFrames.js";
import { writeSampleDrive } from "../replay/sample/writeSampleDrive.js";
import {
  commandLogger,
  runReplay,
  summaryJson,
  unlessBrokenPipe,
  type ReplayFlags,
} from "./replayCommand.js";
import { UsageError } from "./UsageError.js";

interface DemoFlags {
  duration: string;
  rate: string;
  to: string[];
  seed: string;
  cacheDir?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("write roadrig's sample drive (MDF4) and replay it to the terminal at its pace")
    .option("--duration <seconds>", "how much of the drive to replay", "20")
    .option("--rate <factor>", "speed factor; 0 = as fast as possible", "1")
    .option("--to <target>", "output instead of candump:- (repeatable)", collect, [])
    .option("--seed <n>", "sample drive seed", String(DEFAULT_SAMPLE_SEED))
    .option("--cache-dir <dir>", "where the sample drive is kept")
    .action(async (flags: DemoFlags, command: Command) => {
      const log = commandLogger(command);
      const seed = Number(flags.seed);
      if (!Number.isInteger(seed)) throw new UsageError(`--seed ${flags.seed}: expected an integer`);
      const path = ensureSampleDrive(flags.cacheDir ?? defaultCacheDir(), seed);
      log.info({ path, duration: flags.duration, rate: flags.rate }, "replaying the sample drive");
      const to = flags.to.length > 0 ? flags.to : ["candump:-"];
      const replayFlags: ReplayFlags = {
        to,
        rate: flags.rate,
        duration: flags.duration,
        timeJumps: "error",
        offset: [],
        channel: [],
        idFilter: [],
        map: [],
        progress: !to.includes("candump:-"),
      };
      const summary = await runReplay([path], replayFlags, log).catch(unlessBrokenPipe);
      if (summary) log.info(summaryJson(summary), "demo done");
    });
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? (homedir() ? join(homedir(), ".cache") : tmpdir());
  return join(base, "roadrig");
}

/** The drive is deterministic per seed: written once, then reused. */
function ensureSampleDrive(dir: string, seed: number): string {
  const path = join(dir, `sample-drive-seed${seed}-${DEFAULT_SAMPLE_DURATION_S}s.mf4`);
  if (existsSync(path)) return path;
  makeDirectorySync(dir);
  // Written beside and renamed, so that an interrupted write never leaves a half file to reuse.
  const partial = `${path}.${process.pid}.partial`;
  writeSampleDrive(partial, { format: "mdf4", seed });
  renameSync(partial, path);
  return path;
}
