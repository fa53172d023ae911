import type { BatchLimits } from "./TelemetryConfig.js";
import type { TelemetryRecord } from "./TelemetryRecord.js";

export const DEFAULT_BATCH_LIMITS: Required<BatchLimits> = {
  maxCount: 500,
  maxBytes: 64 * 1024,
  maxAgeMs: 1000,
};

/**
 * Collects a stream's records until the batch holds `maxCount` records, about `maxBytes` of JSON,
 * or its oldest record is `maxAgeMs` old. Sizes are estimated (names plus a fixed part per
 * field) rather than measured: serialising each record twice would cost more than the rest.
 */
export class Batcher {
  private records: TelemetryRecord[] = [];
  private bytes = 0;
  private openedAt = 0;
  private readonly limits: Required<BatchLimits>;

  constructor(limits: BatchLimits = {}) {
    this.limits = { ...DEFAULT_BATCH_LIMITS, ...limits };
  }

  get size(): number {
    return this.records.length;
  }

  /** Adds a record at wall time `now`; returns the closed batch when this one filled it. */
  add(record: TelemetryRecord, now: number): TelemetryRecord[] | undefined {
    if (this.records.length === 0) this.openedAt = now;
    this.records.push(record);
    this.bytes += estimateBytes(record);
    const { maxCount, maxBytes } = this.limits;
    return this.records.length >= maxCount || this.bytes >= maxBytes ? this.take() : undefined;
  }

  /** The batch, if its age has reached the limit by `now`. */
  tick(now: number): TelemetryRecord[] | undefined {
    if (this.records.length === 0 || now - this.openedAt < this.limits.maxAgeMs) return undefined;
    return this.take();
  }

  /** Whatever is collected, closed now (on stop). */
  take(): TelemetryRecord[] | undefined {
    if (this.records.length === 0) return undefined;
    const records = this.records;
    this.records = [];
    this.bytes = 0;
    return records;
  }
}

function estimateBytes(r: TelemetryRecord): number {
  switch (r.type) {
    case "sample":
      return 80 + r.bus.length + r.message.length + r.signal.length;
    case "window":
      return 160 + r.bus.length + r.message.length + r.signal.length;
    case "capture":
      return 60 + r.trigger.length + r.samples.length * (45 + (r.samples[0]?.signal.length ?? 0));
  }
}
