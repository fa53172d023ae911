import type { JsonObject } from "../JsonValue.js";
import type { ShadowAddress } from "../ShadowTopic.js";

/** The two stored sections of a shadow; a section that became empty is absent. */
export interface ShadowSections {
  desired?: JsonObject;
  reported?: JsonObject;
}

/** A shadow as the service keeps it. `delta` is never stored: it is computed when read. */
export interface ShadowDocument {
  state: ShadowSections;
  /** Mirrors `state`, with `{ timestamp }` per leaf. */
  metadata: ShadowSections;
  version: number;
  /** Epoch seconds of the last accepted update. */
  timestamp: number;
}

/**
 * What the store keeps per shadow. A deleted shadow stays as a record without `document`, so that
 * a shadow re-created soon after continues the old version numbers as AWS's does.
 */
export interface ShadowRecord {
  address: ShadowAddress;
  /** The current version, or the last version before the delete. */
  version: number;
  document?: ShadowDocument | undefined;
  /** Epoch milliseconds of the delete, for a record without document. */
  deletedAt?: number | undefined;
}
