import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as UnixDgram from "unix-dgram";
import type { UnixDgramSocket } from "unix-dgram";

const require = createRequire(import.meta.url);

/**
 * The service manager's end of the notify protocol: a SOCK_DGRAM socket the test binds in a
 * temporary folder, keeping every datagram in arrival order.
 */
export class NotifyReceiver {
  readonly messages: string[] = [];
  #closed = false;
  readonly #waiters: { test: (m: string) => boolean; resolve: (m: string) => void }[] = [];

  private constructor(
    private readonly socket: UnixDgramSocket,
    readonly path: string,
    private readonly dir: string,
  ) {
    socket.on("message", (buffer: Buffer) => this.#receive(buffer.toString("utf8")));
  }

  static bind(): NotifyReceiver {
    const dir = mkdtempSync(join(tmpdir(), "roadrig-notify-"));
    const path = join(dir, "notify.sock");
    const { createSocket } = require("unix-dgram") as typeof UnixDgram;
    const socket = createSocket("unix_dgram");
    socket.bind(path);
    return new NotifyReceiver(socket, path, dir);
  }

  /** Resolves with the first message from index `from` on that passes `test`. */
  next(test: (message: string) => boolean, from = 0): Promise<string> {
    const seen = this.messages.slice(from).find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ test, resolve }));
  }

  /** Closes once: the addon aborts the process on a second close. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  #receive(message: string): void {
    this.messages.push(message);
    for (const waiter of [...this.#waiters]) {
      if (!waiter.test(message)) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  }
}
