/** Lateness percentiles in milliseconds; negative lateness is earliness. */
export interface Lateness {
  min: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * How late each frame arrived against its recorded time, both anchored on the first frame:
 * `(received_i - received_0) - (recorded_i - recorded_0)`, in microseconds in, ms out.
 */
export function lateness(recordedUs: readonly bigint[], receivedUs: readonly bigint[]): Lateness {
  if (recordedUs.length !== receivedUs.length || recordedUs.length === 0) {
    throw new RangeError(`expected equal, non-empty series, found ${recordedUs.length} recorded ` +
      `and ${receivedUs.length} received`);
  }
  const r0 = recordedUs[0] as bigint;
  const x0 = receivedUs[0] as bigint;
  const late = recordedUs
    .map((r, i) => Number(((receivedUs[i] as bigint) - x0) - (r - r0)) / 1000)
    .sort((a, b) => a - b);
  const at = (q: number) => late[Math.min(late.length - 1, Math.floor(q * late.length))] as number;
  const max = late[late.length - 1] as number;
  return { min: late[0] as number, p50: at(0.5), p99: at(0.99), max };
}
