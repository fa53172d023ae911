/**
 * Tells late frames caused by I/O from the others. Checked after every replay batch: late
 * frames counted in a batch during which a read waited for the network, or in the batch right
 * after (a wait before a batch makes its first frames late), are put down to I/O.
 */
export class IoWaitMonitor {
  private underruns = 0;
  private late = 0;
  private waitedLastTime = false;
  private lateDuringWait = 0;

  constructor(
    private readonly readUnderruns: () => number,
    private readonly readLate: () => number,
  ) {}

  check(): void {
    const underruns = this.readUnderruns();
    const late = this.readLate();
    const waited = underruns > this.underruns;
    if (late > this.late && (waited || this.waitedLastTime)) {
      this.lateDuringWait += late - this.late;
    }
    this.underruns = underruns;
    this.late = late;
    this.waitedLastTime = waited;
  }

  get lateFramesDuringIoWait(): number {
    return this.lateDuringWait;
  }
}
