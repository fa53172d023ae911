import { prestartReadWorker } from "../replay/worker/prestartReadWorker.js";
import { commandName } from "./commands.js";

/**
 * Starts what the command on the command line will need first, before the CLI's own modules
 * load: a paced replay's read worker, whose thread start and imports (the AWS SDK for s3://
 * logs) then run beside the loading and parsing of the main thread. A guess from the raw
 * arguments: a worker the replay does not take (a profile that sets rate 0) is ended unused.
 */
export function prestart(argv: readonly string[]): void {
  const hint = prestartHint(argv);
  if (hint) prestartReadWorker(hint);
}

/** The read worker a command line will likely want (and whether for S3), or none. */
export function prestartHint(argv: readonly string[]): { s3: boolean } | undefined {
  if (commandName(argv) !== "replay" || !readsInWorker(argv.slice(2))) return undefined;
  return { s3: argv.some((a) => a.startsWith("s3://")) };
}

/** As runReplay decides, from what the arguments show: a worker unless unpaced or refused. */
function readsInWorker(args: readonly string[]): boolean {
  if (args.some((a) => a === "--help" || a === "-h" || a === "--no-read-worker")) return false;
  if (args.includes("--read-worker")) return true;
  const at = args.indexOf("--rate");
  const rate = at >= 0 ? args[at + 1] : args.find((a) => a.startsWith("--rate="))?.slice(7);
  return rate === undefined || Number(rate) !== 0;
}
