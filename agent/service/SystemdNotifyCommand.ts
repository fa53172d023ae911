import { execFile } from "node:child_process";
import type { NotifySocket } from "./NotifySocket.js";

/**
 * An abstract notify socket (`@name`), which the `unix-dgram` addon cannot address (it copies
 * the path as a C string, and an abstract name starts with a NUL byte): systemd's own
 * `systemd-notify` sends the message instead. The datagram then comes from a short-lived child,
 * so systemd only accepts it with `NotifyAccess=all`, and may still drop it when the child has
 * exited before systemd reads it (systemd 252 looks the sender's cgroup up by PID).
 */
export class SystemdNotifyCommand implements NotifySocket {
  constructor(
    readonly address: string,
    private readonly command = "systemd-notify",
  ) {}

  send(message: string): Promise<void> {
    // --no-block: without it, systemd-notify waits for a BARRIER answer only systemd gives.
    const args = ["--no-block", ...message.split("\n")];
    const env = { ...process.env, NOTIFY_SOCKET: this.address };
    return new Promise((resolve, reject) => {
      execFile(this.command, args, { env, timeout: 5000 }, (error, _stdout, stderr) => {
        if (error) reject(new Error(`${this.command} (${this.address}): ${stderr || error.message}`));
        else resolve();
      });
    });
  }

  close(): void {
    // Nothing stays open between messages.
  }
}
