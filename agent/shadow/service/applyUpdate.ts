import type { ShadowAddress } from "../ShadowTopic.js";
import { computeDelta } from "./computeDelta.js";
import type { JsonObject } from "../JsonValue.js";
import { isEmptyObject, setKey } from "../JsonValue.js";
import { mergeState } from "./mergeState.js";
import { pickPaths } from "./pickPaths.js";
import { pickMetadata, requestMetadata, stampMetadata } from "./ShadowMetadata.js";
import type { ShadowDocument, ShadowRecord, ShadowSections } from "./ShadowDocument.js";
import { ShadowError } from "./ShadowError.js";
import { ShadowLimits } from "./ShadowLimits.js";
import type { UpdateRequest } from "./ShadowRequest.js";

/** The new record and the three messages one accepted update publishes. */
export interface UpdateOutcome {
  record: ShadowRecord;
  accepted: JsonObject;
  /** Absent when the update leaves no difference at the keys it touched. */
  delta: JsonObject | undefined;
  documents: JsonObject;
}

type Section = keyof ShadowSections;
const SECTIONS: readonly Section[] = ["desired", "reported"];

/**
 * Applies an update to a shadow (`record` undefined when it never existed). Pure: `nowMs` is the
 * clock; nothing is published or stored here. Throws ShadowError for 409 and 413.
 */
export function applyUpdate(
  address: ShadowAddress,
  record: ShadowRecord | undefined,
  request: UpdateRequest,
  nowMs: number,
): UpdateOutcome {
  const previous = record?.document;
  const baseVersion = currentVersion(record, nowMs);
  if (request.version !== undefined && request.version !== baseVersion) {
    throw ShadowError.versionConflict().withClientToken(request.clientToken);
  }

  const timestamp = Math.floor(nowMs / 1000);
  const current = nextDocument(previous, request, baseVersion + 1, timestamp);
  const stateBytes = Buffer.byteLength(JSON.stringify(current.state));
  if (stateBytes > ShadowLimits.stateBytes) {
    throw ShadowError.tooLarge().withClientToken(request.clientToken);
  }

  return {
    record: { address, version: current.version, document: current },
    accepted: acceptedMessage(request, current),
    delta: deltaMessage(request, current),
    documents: documentsMessage(previous, current, request.clientToken),
  };
}

/**
 * The version an update's `version` must match. A shadow deleted within the retention time
 * continues from its last version; after that, or when it never existed, it starts from 0.
 */
export function currentVersion(record: ShadowRecord | undefined, nowMs: number): number {
  if (record === undefined) return 0;
  if (record.document !== undefined) return record.version;
  const deletedAt = record.deletedAt ?? 0;
  return nowMs - deletedAt <= ShadowLimits.deletedVersionRetentionMs ? record.version : 0;
}

function nextDocument(
  previous: ShadowDocument | undefined,
  request: UpdateRequest,
  version: number,
  timestamp: number,
): ShadowDocument {
  const document: ShadowDocument = { state: {}, metadata: {}, version, timestamp };
  if (request.state === null) return document;

  for (const section of SECTIONS) {
    const before = previous?.state[section];
    const beforeMeta = previous?.metadata[section];
    const patch = request.state[section];
    if (patch === null) continue;
    const state = patch === undefined ? before : mergeState(before, patch);
    const metadata = patch === undefined
      ? beforeMeta
      : stampMetadata(beforeMeta, before, patch, timestamp);
    // A section whose last key was deleted disappears from the document.
    if (state === undefined || isEmptyObject(state)) continue;
    document.state[section] = state;
    document.metadata[section] = metadata ?? {};
  }
  return document;
}

function acceptedMessage(request: UpdateRequest, current: ShadowDocument): JsonObject {
  const message: JsonObject = { state: null };
  if (request.state !== null) {
    const state: JsonObject = {};
    const metadata: JsonObject = {};
    for (const section of SECTIONS) {
      const patch = request.state[section];
      if (patch === undefined) continue;
      setKey(state, section, patch);
      setKey(metadata, section, patch === null ? null : requestMetadata(patch, current.timestamp));
    }
    message.state = state;
    message.metadata = metadata;
  }
  return withTail(message, current.version, current.timestamp, request.clientToken);
}

/**
 * `/update/delta` carries the differing desired leaves at the key paths this update wrote, in
 * desired or in reported. Deleting a desired key therefore publishes nothing, as on AWS: the key
 * left desired, so there is no difference there to act on.
 */
function deltaMessage(request: UpdateRequest, current: ShadowDocument): JsonObject | undefined {
  if (request.state === null) return undefined;
  const delta = computeDelta(current.state.desired, current.state.reported);
  if (delta === undefined) return undefined;

  let touched: JsonObject = {};
  for (const section of SECTIONS) {
    const patch = request.state[section];
    // A whole section deleted touches every key in it.
    if (patch === null) touched = mergeState(touched, delta);
    else if (patch !== undefined) touched = mergeState(touched, selectorOf(patch));
  }
  const state = pickPaths(delta, touched);
  if (state === undefined) return undefined;
  const metadata = pickMetadata(current.metadata.desired, state);
  return withTail({ state, metadata }, current.version, current.timestamp, request.clientToken);
}

// A patch's nulls would delete keys from the selector; as a selector they name paths like values.
function selectorOf(patch: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(patch, (_key, value: unknown) => value ?? true)) as JsonObject;
}

function documentsMessage(
  previous: ShadowDocument | undefined,
  current: ShadowDocument,
  clientToken: string | undefined,
): JsonObject {
  const message: JsonObject = {};
  if (previous !== undefined) message.previous = snapshot(previous);
  message.current = snapshot(current);
  message.timestamp = current.timestamp;
  if (clientToken !== undefined) message.clientToken = clientToken;
  return message;
}

function snapshot(document: ShadowDocument): JsonObject {
  return {
    state: { ...document.state },
    metadata: { ...document.metadata },
    version: document.version,
  };
}

/** Appends the fields every response ends with. */
export function withTail(
  message: JsonObject,
  version: number | undefined,
  timestamp: number,
  clientToken: string | undefined,
): JsonObject {
  if (version !== undefined) message.version = version;
  message.timestamp = timestamp;
  if (clientToken !== undefined) message.clientToken = clientToken;
  return message;
}
