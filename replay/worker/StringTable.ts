/**
 * Channel, topic and type names as small integers. The worker numbers each name the first time
 * it packs it and sends the new names along with that batch; the main thread appends them in
 * the same order, so both sides agree on every number without a lookup per record.
 */
export class StringTable {
  private readonly numbers = new Map<string, number>();
  private added: string[] = [];

  number(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      n = this.numbers.size;
      this.numbers.set(name, n);
      this.added.push(name);
    }
    return n;
  }

  /** Names numbered since the last call, for the batch that first uses them. */
  takeAdded(): string[] {
    const added = this.added;
    this.added = [];
    return added;
  }
}
