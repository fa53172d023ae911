import { signalExitCode } from "./signalExitCode.js";

/**
 * A SIGINT/SIGTERM that came before the replay began (logs still opening, an S3 endpoint
 * still being retried): the run ends at once, nothing replayed, with the shell's exit code for
 * the signal (130 for SIGINT, 143 for SIGTERM).
 */
export class InterruptedError extends Error {
  readonly code = "E_INTERRUPTED";
  readonly exitCode: number;
  /** Set once it has been logged (with --results, into the bundle's run.log too). */
  logged = false;

  constructor(readonly signal: string, what: string) {
    super(`${signal} ${what}: nothing was replayed`);
    this.name = "InterruptedError";
    this.exitCode = signalExitCode(signal);
  }
}
