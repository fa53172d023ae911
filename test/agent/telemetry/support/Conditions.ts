/**
 * Conditions a test waits on over what arrives (no sleeps): `until` resolves on the arrival
 * that makes its test hold, or rejects after a timeout with `describe()` for the message.
 */
export class Conditions {
  private readonly waiters: { test: () => boolean; resolve: () => void }[] = [];

  constructor(private readonly describe: () => string) {}

  /** Called after each arrival: resolves the waits whose condition now holds. */
  arrived(): void {
    for (const w of [...this.waiters]) {
      if (w.test()) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  until(test: () => boolean, ms: number): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`condition not met in ${ms} ms; ${this.describe()}`));
      }, ms);
      this.waiters.push({ test, resolve: () => {
        clearTimeout(timer);
        resolve();
      } });
    });
  }
}
