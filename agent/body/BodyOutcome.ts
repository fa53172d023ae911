import type { JsonValue } from "../shadow/JsonValue.js";

/**
 * Why a desired value was not reached: refused before anything was sent (`invalid`,
 * `interlock`), sent but never confirmed (`timeout`), or replaced by a newer desired value.
 */
export type BodyFailure = "invalid" | "unknown-field" | "interlock" | "timeout" | "superseded";

export type BodyOutcome =
  | { readonly field: string; readonly desired: JsonValue; readonly ok: true;
      readonly reported: JsonValue }
  | { readonly field: string; readonly desired: JsonValue; readonly ok: false;
      readonly code: BodyFailure; readonly reason: string;
      /** The state the body is in, when known. */
      readonly reported?: JsonValue };
