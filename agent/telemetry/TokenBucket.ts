/**
 * A byte budget refilled at `rate` per second, up to one second's worth: what lets a backlog
 * drain after a reconnect without taking the whole uplink. `Infinity` never waits.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = rate;
    this.last = now();
  }

  /** Takes `n` tokens if there are enough (or the bucket is full); else returns ms to wait. */
  take(n: number): number {
    if (this.rate === Infinity) return 0;
    const t = this.now();
    this.tokens = Math.min(this.rate, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    // A batch bigger than a second's budget goes once the bucket is full, not never.
    if (this.tokens >= n || this.tokens >= this.rate) {
      this.tokens -= n;
      return 0;
    }
    return Math.ceil(((Math.min(n, this.rate) - this.tokens) / this.rate) * 1000);
  }
}
