import type { NotifySocket } from "./NotifySocket.js";

/** The sd_notify(3) messages the agent sends, each one datagram. */
export class SystemdNotifier {
  constructor(readonly socket: NotifySocket) {}

  /** Start-up (or a reload) is complete. */
  ready(status: string): Promise<void> {
    return this.#send([["READY", "1"], ["STATUS", status]]);
  }

  status(status: string): Promise<void> {
    return this.#send([["STATUS", status]]);
  }

  watchdog(): Promise<void> {
    return this.#send([["WATCHDOG", "1"]]);
  }

  stopping(status: string): Promise<void> {
    return this.#send([["STOPPING", "1"], ["STATUS", status]]);
  }

  /**
   * A reload starts. systemd (since 253, Type=notify-reload) wants the CLOCK_MONOTONIC time with
   * it, to tell this reload from an earlier one; Node's hrtime reads that same clock on Linux.
   */
  reloading(status: string): Promise<void> {
    const usec = process.hrtime.bigint() / 1000n;
    return this.#send([["RELOADING", "1"], ["MONOTONIC_USEC", String(usec)], ["STATUS", status]]);
  }

  close(): void {
    this.socket.close();
  }

  #send(fields: [string, string][]): Promise<void> {
    // A newline inside a value would start a new assignment.
    const lines = fields.map(([key, value]) => `${key}=${value.replace(/\n/g, " ")}`);
    return this.socket.send(lines.join("\n"));
  }
}
