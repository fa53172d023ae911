import type { TelemetryMetrics } from "./TelemetryMetrics.js";

/**
 * Why a batch was not kept: evicted from the full spool, refused by it (no room even after
 * evicting lower priorities), a single record over the sink's limit, or the spool's disk write
 * failing (disk full, I/O error: the error comes with it).
 */
export type DropReason = "evicted" | "refused" | "too-large" | "spool-error";

/** What the pipeline reports; the agent decides what to log. */
export interface TelemetryEvents {
  /** A batch reached the spool (it is now accepted: delivered or kept across restarts). */
  spooled: [{ stream: string; seq: number; bytes: number; records: number }];
  /** The sink acknowledged a batch; it left the spool. */
  sent: [{ stream: string; seq: number; bytes: number; latencyMs: number }];
  /** The full spool evicted a batch, or refused one, or a record was too big for the sink. */
  dropped: [{ stream: string; seq?: number; bytes: number; reason: DropReason; error?: Error }];
  sink: [{ sink: string; connected: boolean; error?: Error }];
  sendFailed: [{ sink: string; stream: string; seq: number; error: Error }];
  /** Every `metricsIntervalMs`. */
  metrics: [TelemetryMetrics];
}
