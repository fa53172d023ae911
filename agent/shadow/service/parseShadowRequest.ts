import type { JsonObject, JsonValue } from "../JsonValue.js";
import { isJsonObject } from "../JsonValue.js";
import { ShadowError } from "./ShadowError.js";
import { ShadowLimits } from "./ShadowLimits.js";
import type { TokenRequest, UpdateRequest } from "./ShadowRequest.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Validates an `/update` payload in the order AWS's errors suggest, or throws a ShadowError. */
export function parseUpdateRequest(payload: Uint8Array): UpdateRequest {
  const body = parseBody(payload, false);
  const clientToken = readClientToken(body);
  try {
    const request: UpdateRequest = { state: readState(body) };
    const version = readVersion(body);
    if (version !== undefined) request.version = version;
    if (clientToken !== undefined) request.clientToken = clientToken;
    return request;
  } catch (error) {
    if (error instanceof ShadowError) error.withClientToken(clientToken);
    throw error;
  }
}

/** Validates a `/get` or `/delete` payload: empty, or an object that may hold a clientToken. */
export function parseTokenRequest(payload: Uint8Array): TokenRequest {
  const clientToken = readClientToken(parseBody(payload, true));
  return clientToken === undefined ? {} : { clientToken };
}

function parseBody(payload: Uint8Array, emptyAllowed: boolean): JsonObject {
  if (payload.byteLength > ShadowLimits.payloadBytes) throw ShadowError.tooLarge();
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    throw ShadowError.notUtf8();
  }
  if (emptyAllowed && text.trim() === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw ShadowError.invalidJson();
  }
  if (!isJsonObject(body)) throw ShadowError.invalidJson();
  return body;
}

function readClientToken(body: JsonObject): string | undefined {
  if (!Object.hasOwn(body, "clientToken")) return undefined;
  const token = body.clientToken;
  if (typeof token !== "string" || Buffer.byteLength(token) > ShadowLimits.clientTokenBytes) {
    throw ShadowError.invalidClientToken();
  }
  return token;
}

function readVersion(body: JsonObject): number | undefined {
  if (!Object.hasOwn(body, "version")) return undefined;
  const version = body.version;
  if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 0) {
    throw ShadowError.invalidVersion();
  }
  return version;
}

function readState(body: JsonObject): UpdateRequest["state"] {
  if (!Object.hasOwn(body, "state")) throw ShadowError.missingState();
  const state = body.state;
  // Only the top-level node clears the document; a key named "state" deeper is ordinary data.
  if (state === null) return null;
  if (!isJsonObject(state)) throw ShadowError.stateNotObject();

  for (const node of Object.keys(state)) {
    if (node !== "desired" && node !== "reported") throw ShadowError.invalidNode(node);
  }
  const result: NonNullable<UpdateRequest["state"]> = {};
  for (const section of ["desired", "reported"] as const) {
    if (!Object.hasOwn(state, section)) continue;
    const value = state[section];
    if (value !== null && !isJsonObject(value)) throw ShadowError.sectionNotObject(section);
    if (value !== null && keyDepth(value) > ShadowLimits.depth) {
      throw ShadowError.tooDeep(ShadowLimits.depth);
    }
    result[section] = value ?? null;
  }
  if (Buffer.byteLength(JSON.stringify(result)) > ShadowLimits.stateBytes) {
    throw ShadowError.tooLarge();
  }
  return result;
}

/** Levels of keys below a value: `{a: 1}` has 1, `{a: {b: [ {c: 1} ]}}` has 4 (arrays count). */
export function keyDepth(value: JsonValue | undefined): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(keyDepth));
  if (!isJsonObject(value)) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(keyDepth));
}

/** The clientToken of a payload that is refused before it is read, when it has a valid one. */
export function peekClientToken(payload: Uint8Array): string | undefined {
  try {
    return parseTokenRequest(payload).clientToken;
  } catch {
    return undefined;
  }
}
