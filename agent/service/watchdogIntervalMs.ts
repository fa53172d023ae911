/**
 * How often to send WATCHDOG=1, from the `WATCHDOG_USEC` and `WATCHDOG_PID` systemd sets:
 * half the timeout, as sd_watchdog_enabled(3) advises, so one late ping is not yet fatal.
 * Undefined when no watchdog is asked of this process.
 */
export function watchdogIntervalMs(
  env: NodeJS.ProcessEnv,
  pid: number = process.pid,
): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (env.WATCHDOG_USEC === undefined || !Number.isSafeInteger(usec) || usec <= 0) {
    return undefined;
  }
  // WATCHDOG_PID names the process meant; a child that inherited the variables is not it.
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2000));
}
