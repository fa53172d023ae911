/** How a failed S3 request is retried. */
export interface RetryPolicy {
  /** Attempts without progress before giving up (the first try counts). */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 100,
  maxDelayMs: 10_000,
};

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(max, base·2^n)). Full jitter
 * spreads out many replay processes that were throttled by the same 503 SlowDown at once.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

const retryableCodes = new Set([
  "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "ECONNABORTED",
  "ERR_STREAM_PREMATURE_CLOSE", "UND_ERR_SOCKET",
]);
const retryableNames = new Set([
  "SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "RequestTimeoutException",
  "TimeoutError", "InternalError", "ServiceUnavailable", "BodyIdleTimeout", "ShortBody",
]);

/** Throttling (503 SlowDown, 429), 5xx, dropped or idle connections: worth another try. */
export function isRetryable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === "number") return status === 429 || status >= 500;
  if (typeof e.code === "string" && retryableCodes.has(e.code)) return true;
  return typeof e.name === "string" && retryableNames.has(e.name);
}
