import type { ShadowAddress } from "../ShadowTopic.js";
import { withTail } from "./applyUpdate.js";
import { notFound } from "./getResponse.js";
import type { JsonObject } from "../JsonValue.js";
import type { ShadowRecord } from "./ShadowDocument.js";

export interface DeleteOutcome {
  /** The tombstone that keeps the version for a shadow re-created soon after. */
  record: ShadowRecord;
  accepted: JsonObject;
}

/** Deletes a shadow; `/delete/accepted` carries the version it had. Throws 404 when absent. */
export function applyDelete(
  address: ShadowAddress,
  record: ShadowRecord | undefined,
  nowMs: number,
  clientToken: string | undefined,
): DeleteOutcome {
  if (record?.document === undefined) throw notFound(address).withClientToken(clientToken);
  const version = record.version;
  return {
    record: { address, version, deletedAt: nowMs },
    accepted: withTail({}, version, Math.floor(nowMs / 1000), clientToken),
  };
}
