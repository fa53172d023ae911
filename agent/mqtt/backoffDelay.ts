/**
 * "Full jitter" exponential backoff: a uniform delay up to min(max, min * 2^attempt). Spreading
 * the reconnects of a fleet keeps a broker restart from being answered by a thundering herd.
 */
export function backoffDelay(
  attempt: number,
  minDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(attempt, 30));
  return Math.max(minDelayMs, Math.round(random() * ceiling));
}
