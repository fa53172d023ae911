const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
const LINEAR = 2 * SUB;

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * Log-linear histogram of nanosecond values (64 sub-buckets per power of two, so a percentile is
 * within 1.6% of the true value), in constant memory whatever the number of samples. Values
 * below 128 ns are kept exactly.
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(LINEAR + 64 * SUB);
  private total = 0;
  private maxNs = 0;

  record(ns: number): void {
    const v = ns > 0 ? Math.floor(ns) : 0;
    const index = bucketOf(v);
    this.counts[index] = (this.counts[index] as number) + 1;
    this.total++;
    if (v > this.maxNs) this.maxNs = v;
  }

  get count(): number {
    return this.total;
  }

  /** Value at quantile `q` (0–1): the upper edge of its bucket, never above the maximum seen. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return Math.min(upperEdge(i), this.maxNs);
    }
    return this.maxNs;
  }

  summary(): LatencySummary {
    return {
      count: this.total,
      p50: this.quantile(0.5),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
      max: this.maxNs,
    };
  }
}

function bucketOf(v: number): number {
  if (v < LINEAR) return v;
  let exponent = Math.floor(Math.log2(v));
  // log2 rounds up just below large powers of two; the mantissa must stay in [64, 128).
  if (v < 2 ** exponent) exponent--;
  const mantissa = Math.floor(v / 2 ** (exponent - SUB_BITS));
  return LINEAR + (exponent - SUB_BITS - 1) * SUB + (mantissa - SUB);
}

function upperEdge(index: number): number {
  if (index < LINEAR) return index;
  const k = index - LINEAR;
  const exponent = Math.floor(k / SUB) + SUB_BITS + 1;
  const mantissa = (k % SUB) + SUB;
  return (mantissa + 1) * 2 ** (exponent - SUB_BITS) - 1;
}
