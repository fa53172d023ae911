import { EventEmitter } from "node:events";
import type { HealthVerdict } from "./HealthVerdict.js";
import type { SystemdNotifier } from "./SystemdNotifier.js";

export interface WatchdogEvents {
  /** A ping was due and not sent, and why. */
  withheld: [reasons: readonly string[]];
  failed: [error: Error];
}

/**
 * Sends WATCHDOG=1 every `intervalMs` while `check` passes. A ping withheld is the point:
 * systemd restarts the agent once pings stop for WatchdogSec.
 */
export class Watchdog extends EventEmitter<WatchdogEvents> {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly notifier: SystemdNotifier,
    readonly intervalMs: number,
    private readonly check: () => HealthVerdict,
  ) {
    super();
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const health = this.check();
    if (!health.ok) {
      this.emit("withheld", health.reasons);
      return;
    }
    this.notifier.watchdog().catch((error: unknown) => this.emit("failed", error as Error));
  }
}
