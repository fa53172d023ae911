import type { ShadowRecord } from "./ShadowDocument.js";
import type { ShadowStore } from "./ShadowStore.js";
import { shadowKey } from "./shadowKey.js";

/** A store that lives as long as the process: for tests and rigs that need no persistence. */
export class MemoryShadowStore implements ShadowStore {
  readonly #records = new Map<string, string>();

  load(): Promise<ShadowRecord[]> {
    return Promise.resolve([...this.#records.values()].map((r) => JSON.parse(r) as ShadowRecord));
  }

  save(record: ShadowRecord): Promise<void> {
    // Kept as text so that later changes to the saved object cannot reach the store.
    this.#records.set(shadowKey(record.address), JSON.stringify(record));
    return Promise.resolve();
  }
}
