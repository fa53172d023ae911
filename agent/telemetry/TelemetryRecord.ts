/**
 * What streams emit and batches carry. Times are milliseconds since the Unix epoch (fractional),
 * taken from the bus's receive time. The payload format (docs in README.md) mirrors these.
 */
export type TelemetryRecord = SampleRecord | WindowRecord | CaptureRecord;

/** One kept value of a signal. */
export interface SampleRecord {
  type: "sample";
  t: number;
  bus: string;
  message: string;
  signal: string;
  value: number;
  /** The value lies outside the DBC's `[min|max]`. */
  outOfRange?: true;
}

/** A fixed window `[start, start + ms)` of one signal. */
export interface WindowRecord {
  type: "window";
  t: number;
  ms: number;
  bus: string;
  message: string;
  signal: string;
  count: number;
  min: number;
  max: number;
  mean: number;
  last: number;
  outOfRange?: true;
}

/** The values around a trigger: `preMs` before it to `postMs` after it. */
export interface CaptureRecord {
  type: "capture";
  /** When the condition fired. */
  t: number;
  trigger: string;
  bus: string;
  samples: CapturedSample[];
}

export interface CapturedSample {
  t: number;
  signal: string;
  value: number;
}
