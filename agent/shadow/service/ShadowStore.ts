import type { ShadowRecord } from "./ShadowDocument.js";

/**
 * Where the service keeps shadows across restarts. `save` replaces the record of the same
 * address and resolves only once the record would survive a crash.
 */
export interface ShadowStore {
  load(): Promise<ShadowRecord[]>;
  save(record: ShadowRecord): Promise<void>;
}
