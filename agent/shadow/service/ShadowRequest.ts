import type { JsonObject } from "../JsonValue.js";

/** A validated `/update` request. `state: null` clears both sections. */
export interface UpdateRequest {
  state: { desired?: JsonObject | null; reported?: JsonObject | null } | null;
  version?: number;
  clientToken?: string;
}

/** A validated `/get` or `/delete` request: its payload may only carry a clientToken. */
export interface TokenRequest {
  clientToken?: string;
}
