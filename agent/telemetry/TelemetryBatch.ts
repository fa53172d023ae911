import type { TelemetryRecord } from "./TelemetryRecord.js";

/** What one payload carries: a stream's records with the batch's identity. */
export interface TelemetryBatch {
  /** Payload format version. */
  v: 1;
  stream: string;
  /** Spool sequence number: unique per vehicle, increasing; a consumer dedupes on it. */
  seq: number;
  /** The VIN, or its salted hash when identity hashing is configured. */
  vehicle: string;
  identifiers?: Record<string, string>;
  /** When the batch closed, ms since the epoch. */
  createdAt: number;
  records: TelemetryRecord[];
}
