import type { ShadowAddress } from "../ShadowTopic.js";
import { computeDelta } from "./computeDelta.js";
import type { JsonObject } from "../JsonValue.js";
import { withTail } from "./applyUpdate.js";
import type { ShadowRecord } from "./ShadowDocument.js";
import { ShadowError } from "./ShadowError.js";

/**
 * The `/get/accepted` document: desired, reported and the computed delta (each only when not
 * empty), their metadata, the version, and the time of this answer. Throws 404 for a shadow that
 * does not exist or was deleted.
 */
export function getResponse(
  address: ShadowAddress,
  record: ShadowRecord | undefined,
  nowMs: number,
  clientToken: string | undefined,
): JsonObject {
  const document = record?.document;
  if (document === undefined) throw notFound(address).withClientToken(clientToken);

  const state: JsonObject = { ...document.state };
  const delta = computeDelta(document.state.desired, document.state.reported);
  if (delta !== undefined) state.delta = delta;
  const metadata: JsonObject = { ...document.metadata };
  return withTail({ state, metadata }, document.version, Math.floor(nowMs / 1000), clientToken);
}

export function notFound(address: ShadowAddress): ShadowError {
  return ShadowError.notFound(address.shadowName ?? address.thing);
}
