import { createRequire } from "node:module";
import type * as UnixDgram from "unix-dgram";
import type { UnixDgramSocket } from "unix-dgram";
import type { NotifySocket } from "./NotifySocket.js";

// Loaded on first use, so that a process without NOTIFY_SOCKET never loads the addon.
const require = createRequire(import.meta.url);

/**
 * A filesystem-path notify socket (`/run/systemd/notify`), written with the `unix-dgram` addon:
 * Node itself has no AF_UNIX datagram sockets. The datagram comes from the agent's own PID, so
 * systemd attributes it to the main process and `NotifyAccess=main` is enough.
 */
export class UnixDgramNotifySocket implements NotifySocket {
  readonly #socket: UnixDgramSocket;
  #closed = false;

  constructor(readonly path: string) {
    const { createSocket } = require("unix-dgram") as typeof UnixDgram;
    this.#socket = createSocket("unix_dgram");
    // Errors come back through send's callback; this keeps a stray one from crashing the agent.
    this.#socket.on("error", () => undefined);
  }

  send(message: string): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`notify socket ${this.path}: closed`));
    const buffer = Buffer.from(message, "utf8");
    return new Promise((resolve, reject) => {
      this.#socket.send(buffer, 0, buffer.length, this.path, (error) => {
        if (error) reject(new Error(`notify socket ${this.path}: ${error.message}`));
        else resolve();
      });
    });
  }

  /** Closes once: the addon aborts the process (a failed assertion) on a second close. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}
