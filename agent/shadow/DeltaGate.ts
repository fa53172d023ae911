/**
 * Decides whether a delta is news. `/update/accepted` and `/update/delta` of one update carry the
 * same version and may arrive in either order, so a delta is stale only when its version is
 * below the last version seen; a delta at the version already applied is a duplicate.
 */
export class DeltaGate {
  #lastSeen: number;
  #lastApplied: number;

  constructor(lastSeen = 0) {
    this.#lastSeen = lastSeen;
    this.#lastApplied = lastSeen - 1;
  }

  get lastSeen(): number {
    return this.#lastSeen;
  }

  /** The last version applied, or covered by a GET. */
  get lastApplied(): number {
    return this.#lastApplied;
  }

  /** A version seen on an answer (`/update/accepted`, `/get/accepted`). */
  observe(version: number): void {
    if (version > this.#lastSeen) this.#lastSeen = version;
  }

  /** True when a delta at `version` is to be applied; it is then counted as applied. */
  admit(version: number): boolean {
    if (version < this.#lastSeen || version <= this.#lastApplied) return false;
    this.#lastSeen = version;
    this.#lastApplied = version;
    return true;
  }

  /**
   * The whole desired state was read (a GET): deltas up to `version` are covered by it. The
   * service's version wins over a higher one seen before, which it never wrote.
   */
  cover(version: number): void {
    if (version < this.#lastSeen) this.#lastSeen = version;
    this.#lastApplied = version;
  }
}
