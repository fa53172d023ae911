import type { StreamReader } from "./StreamReader.js";

// VLSD values that arrived before the record naming them; more than this marks a corrupt file.
const MAX_EARLY = 65_536;

/**
 * Pairs records with their variable-length values. A record names its value by offset: into
 * the VLSD channel group's values (4-byte length + bytes each, counted in order) or into an SD
 * stream. Writers put the value just before or just after its record, so both orders are kept
 * in small queues.
 */
export class VlsdMatcher<T> {
  private pending: { offset: number; target: T }[] = [];
  private head = 0;
  private readonly early = new Map<number, Uint8Array>();
  private next = 0;

  constructor(
    private readonly assign: (target: T, value: Uint8Array) => void,
    private readonly fail: (detail: string) => Error,
  ) {}

  get hasPending(): boolean {
    return this.head < this.pending.length;
  }

  get pendingCount(): number {
    return this.pending.length - this.head;
  }

  /** A record wants the value at `offset`. */
  want(offset: number, target: T): void {
    const value = this.early.get(offset);
    if (value === undefined) {
      this.pending.push({ offset, target });
      return;
    }
    this.assign(target, value);
    for (const key of this.early.keys()) if (key <= offset) this.early.delete(key);
  }

  /** The next value of the VLSD channel group. */
  item(value: Uint8Array): void {
    const offset = this.next;
    this.next += 4 + value.length;
    this.offer(offset, value);
  }

  /** Reads the values of all waiting records from an SD stream. */
  async drain(sd: StreamReader): Promise<void> {
    while (this.hasPending) {
      const { offset } = this.pending[this.head] as { offset: number };
      const head = await sd.read(offset, 4);
      const length = (head[0] ?? 0) | ((head[1] ?? 0) << 8) | ((head[2] ?? 0) << 16) |
        ((head[3] ?? 0) * 0x1000000);
      this.offer(offset, await sd.read(offset + 4, length));
    }
  }

  private offer(offset: number, value: Uint8Array): void {
    if (this.hasPending) {
      const first = this.pending[this.head] as { offset: number; target: T };
      if (first.offset === offset) {
        this.assign(first.target, value);
        if (++this.head === this.pending.length) {
          this.pending = [];
          this.head = 0;
        }
        return;
      }
      if (first.offset < offset) {
        throw this.fail(`expected a VLSD value at offset ${first.offset}, found the next at ${offset}`);
      }
    }
    if (this.early.size >= MAX_EARLY) {
      throw this.fail(`expected VLSD values to be referred to, found ${MAX_EARLY} unclaimed`);
    }
    this.early.set(offset, value);
  }
}
