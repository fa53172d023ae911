import { spawn, type ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { once } from "node:events";

/** The marker frame that proves candump is listening; left out of `lines`. */
const MARKER_ID = "1FFFFFFE";

/** One `candump -L` line: kernel receive time, interface, frame text (`ID#DATA`). */
export interface DumpLine {
  timeUs: bigint;
  iface: string;
  frame: string;
}

/** can-utils' candump on the VM's interfaces, its `-L` lines parsed as they come. */
export class Candump {
  readonly lines: DumpLine[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private marker = false;
  private rest = "";

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => this.take(chunk));
  }

  /**
   * Starts `candump -L` (with a 4 MiB receive buffer, so a burst is not dropped by the dumper
   * itself) and resolves once it has seen a marker frame, sent by cansend until it shows.
   */
  static async start(specs: string[], extra: string[] = []): Promise<Candump> {
    const child = spawn("candump", ["-L", "-r", "4194304", ...extra, ...specs], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const dump = new Candump(child);
    const iface = (specs[0] as string).split(",")[0] as string;
    for (let i = 0; !dump.marker; i++) {
      if (i > 200) throw new Error("candump did not start");
      execFileSync("cansend", [iface, `${MARKER_ID}#`]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return dump;
  }

  /** Resolves once `count` frames (markers aside) have been dumped. */
  received(count: number, timeoutMs = 60_000): Promise<void> {
    if (this.lines.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `candump saw ${this.lines.length} of ${count} frames`)), timeoutMs);
      this.waiters.push({ count, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  async stop(): Promise<DumpLine[]> {
    if (this.child.exitCode === null) {
      const exited = once(this.child, "exit");
      this.child.kill("SIGINT");
      await exited;
    }
    return this.lines;
  }

  private take(chunk: string): void {
    const text = this.rest + chunk;
    const parts = text.split("\n");
    this.rest = parts.pop() ?? "";
    for (const line of parts) {
      const match = /^\((\d+)\.(\d{6})\) (\S+) (\S+)$/.exec(line);
      if (!match) continue;
      const [, sec, usec, iface, frame] = match as unknown as string[];
      if (frame!.startsWith(`${MARKER_ID}#`)) {
        this.marker = true;
        continue;
      }
      this.lines.push({ timeUs: BigInt(sec!) * 1_000_000n + BigInt(usec!), iface: iface!,
        frame: frame! });
    }
    for (const waiter of [...this.waiters]) {
      if (this.lines.length >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}

/**
 * A frame text as the truth files write it: candump -L of kernel 6.1 adds CANFD_FDF (4) to
 * the FD flags digit, which the truth files leave out.
 */
export function withoutFdf(frame: string): string {
  const at = frame.indexOf("##");
  if (at < 0) return frame;
  const flags = parseInt(frame.charAt(at + 2), 16) & 0x3;
  return `${frame.slice(0, at)}##${flags.toString(16).toUpperCase()}${frame.slice(at + 3)}`;
}
