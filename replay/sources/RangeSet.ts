/** A half-open byte range [start, end). */
export type ByteRange = readonly [start: number, end: number];

/**
 * Sorted, disjoint, non-adjacent byte ranges: which parts of a cache entry are filled. Adding
 * merges overlapping and touching ranges, so the sidecar stays short for sequential fills.
 */
export class RangeSet {
  private ranges: ByteRange[];

  constructor(ranges: Iterable<ByteRange> = []) {
    this.ranges = [];
    for (const r of ranges) this.add(r[0], r[1]);
  }

  get list(): readonly ByteRange[] {
    return this.ranges;
  }

  /** Bytes covered. */
  get bytes(): number {
    return this.ranges.reduce((sum, [s, e]) => sum + e - s, 0);
  }

  add(start: number, end: number): void {
    if (end <= start) return;
    const out: ByteRange[] = [];
    let s = start;
    let e = end;
    for (const r of this.ranges) {
      if (r[1] < s || r[0] > e) out.push(r);
      else {
        s = Math.min(s, r[0]);
        e = Math.max(e, r[1]);
      }
    }
    out.push([s, e]);
    out.sort((a, b) => a[0] - b[0]);
    this.ranges = out;
  }

  addAll(other: RangeSet): void {
    for (const [s, e] of other.ranges) this.add(s, e);
  }

  covers(start: number, end: number): boolean {
    if (end <= start) return true;
    return this.ranges.some(([s, e]) => s <= start && end <= e);
  }

  /** The parts of [start, end) not covered, in order. */
  missing(start: number, end: number): ByteRange[] {
    const gaps: ByteRange[] = [];
    let pos = start;
    for (const [s, e] of this.ranges) {
      if (e <= pos) continue;
      if (s >= end) break;
      if (s > pos) gaps.push([pos, Math.min(s, end)]);
      pos = Math.max(pos, e);
      if (pos >= end) break;
    }
    if (pos < end) gaps.push([pos, end]);
    return gaps;
  }

  /** Parses a sidecar's list, refusing anything that is not a list of [start, end] pairs. */
  static fromJSON(value: unknown): RangeSet {
    if (!Array.isArray(value)) throw new Error("expected a list of [start, end] pairs");
    const pairs = value.map((pair): ByteRange => {
      if (!Array.isArray(pair) || pair.length !== 2 || !pair.every(Number.isSafeInteger)) {
        throw new Error(`expected a [start, end] pair, found ${JSON.stringify(pair)}`);
      }
      return [pair[0] as number, pair[1] as number];
    });
    return new RangeSet(pairs);
  }
}
