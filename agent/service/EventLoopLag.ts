/**
 * Measures how late the event loop runs a timer: a loop busy with synchronous work (or starved
 * by the machine) delays every callback, pings and shadow answers included. A timer, rather
 * than perf_hooks' histogram, also shows a loop that is blocked right now: `lagMs` counts the
 * time since the last tick that should have come.
 */
export class EventLoopLag {
  #timer: NodeJS.Timeout | undefined;
  #expected = 0n;
  #lastLagMs = 0;

  constructor(
    readonly intervalMs = 250,
    private readonly now: () => bigint = () => process.hrtime.bigint(),
  ) {}

  start(): void {
    if (this.#timer !== undefined) return;
    this.#expected = this.now() + BigInt(this.intervalMs) * 1_000_000n;
    this.#timer = setInterval(() => this.#tick(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The lateness of the last tick, or of the tick now overdue if that is larger. */
  get lagMs(): number {
    if (this.#timer === undefined) return 0;
    const overdue = Number(this.now() - this.#expected) / 1e6;
    return Math.max(this.#lastLagMs, overdue, 0);
  }

  #tick(): void {
    const now = this.now();
    this.#lastLagMs = Math.max(0, Number(now - this.#expected) / 1e6);
    this.#expected = now + BigInt(this.intervalMs) * 1_000_000n;
  }
}
