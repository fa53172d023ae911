import { constants } from "node:os";

/** The shell's exit code for a process ended by `signal`: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(signal: string): number {
  const number = (constants.signals as Record<string, number | undefined>)[signal];
  return number === undefined ? 1 : 128 + number;
}

/** True for the signals that stop a replay (the reason a stop signal is aborted with). */
export function isStopSignal(reason: unknown): reason is "SIGINT" | "SIGTERM" {
  return reason === "SIGINT" || reason === "SIGTERM";
}
