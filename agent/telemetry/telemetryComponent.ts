import type { Component, ComponentHealth } from "../Component.js";
import type { TelemetryPipeline } from "./TelemetryPipeline.js";

/**
 * The pipeline as one of the agent's components. It counts as healthy while it runs and every
 * sink is connected; with a sink away it still accepts data (into the spool), and the details
 * say how much is waiting.
 */
export function telemetryComponent(pipeline: TelemetryPipeline, name = "telemetry"): Component {
  return {
    name,
    start: () => pipeline.start(),
    stop: () => pipeline.stop(),
    health(): ComponentHealth {
      const h = pipeline.health();
      const details: Record<string, string | number | boolean | null> = {
        state: h.state,
        spoolBatches: h.spool.batches,
        spoolBytes: h.spool.bytes,
        lastFrameAgeMs: h.lastFrameAgeMs === undefined ? null : Math.round(h.lastFrameAgeMs),
      };
      for (const [sink, s] of Object.entries(h.sinks)) details[`sink.${sink}`] = s.connected;
      const ok = h.state === "running" && Object.values(h.sinks).every((s) => s.connected);
      return { ok, details };
    },
  };
}
