/**
 * What the worker has handed over and the replay has not yet taken, against the limits:
 * the worker waits here instead of reading the whole log into memory.
 */
export class ReadAhead {
  private records = 0;
  private bytes = 0;
  private waiter: (() => void) | undefined;

  constructor(private readonly maxRecords: number, private readonly maxBytes: number) {}

  get idle(): boolean {
    return this.records === 0;
  }

  handedOver(records: number, bytes: number): void {
    this.records += records;
    this.bytes += bytes;
  }

  taken(records: number, bytes: number): void {
    this.records -= records;
    this.bytes -= bytes;
    this.wake();
  }

  /** Forgets everything handed over (a new run starts; the old batches are dropped). */
  reset(): void {
    this.records = 0;
    this.bytes = 0;
    this.wake();
  }

  /** Resolves once there is room again, or at once if there is. */
  room(): Promise<void> | undefined {
    if (this.records < this.maxRecords && this.bytes < this.maxBytes) return undefined;
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Lets a waiting read go on (to see that it was stopped). */
  wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
