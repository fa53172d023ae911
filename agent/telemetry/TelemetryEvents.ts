import type { TelemetryMetrics } from "./TelemetryMetrics.js";

/** What the pipeline reports; the agent decides what to log. */
export interface TelemetryEvents {
  /** A batch reached the spool (it is now accepted: delivered or kept across restarts). */
  spooled: [{ stream: string; seq: number; bytes: number; records: number }];
  /** The sink acknowledged a batch; it left the spool. */
  sent: [{ stream: string; seq: number; bytes: number; latencyMs: number }];
  /** The full spool evicted a batch, or refused one, or a record was too big for the sink. */
  dropped: [{ stream: string; seq?: number; bytes: number; reason: "evicted" | "refused" | "too-large" }];
  sink: [{ sink: string; connected: boolean; error?: Error }];
  sendFailed: [{ sink: string; stream: string; seq: number; error: Error }];
  /** Every `metricsIntervalMs`. */
  metrics: [TelemetryMetrics];
}
