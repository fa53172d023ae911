/**
 * The page's reading of shadow documents, kept apart from the DOM. Its only imports are types,
 * so that the browser loads nothing from outside the page's folder.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonRecord = Record<string, Json>;

/** The sections of a shadow document the page shows, at one version. */
export interface ShadowView {
  readonly version: number;
  readonly desired: JsonRecord;
  readonly reported: JsonRecord;
}

/** The agent's refusal, as it reports it in `reported.errors.<field>`. */
export interface FieldError {
  readonly desired: Json;
  readonly code: string;
  readonly reason: string;
}

export interface FieldView {
  readonly reported: Json | undefined;
  /** The desired value while it differs from reported: the vehicle has not confirmed it yet. */
  readonly pending: Json | undefined;
  readonly error: FieldError | undefined;
}

export const EMPTY_VIEW: ShadowView = { version: 0, desired: {}, reported: {} };

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The view in a `/get/accepted` document (state at the top) or an `/update/documents` message
 * (state under `current`); undefined when the message has neither shape.
 */
export function viewOf(message: unknown): ShadowView | undefined {
  if (!isRecord(message)) return undefined;
  const document = isRecord(message.current) ? message.current : message;
  if (typeof document.version !== "number") return undefined;
  const state = isRecord(document.state) ? document.state : {};
  return {
    version: document.version,
    desired: isRecord(state.desired) ? state.desired : {},
    reported: isRecord(state.reported) ? state.reported : {},
  };
}

/**
 * Whether `next` replaces `current`. A GET answers with the version the page may already hold
 * (`sameAllowed`); `/update/documents` of one version comes once per subscriber and is a repeat.
 */
export function supersedes(current: ShadowView, next: ShadowView, sameAllowed: boolean): boolean {
  return sameAllowed ? next.version >= current.version : next.version > current.version;
}

export function fieldView(view: ShadowView, field: string): FieldView {
  const reported = view.reported[field];
  const desired = view.desired[field];
  const pending = desired === undefined || desired === null || sameJson(desired, reported)
    ? undefined
    : desired;
  const errors = view.reported.errors;
  const entry = isRecord(errors) ? errors[field] : undefined;
  const error = isRecord(entry) && typeof entry.reason === "string"
    ? { desired: entry.desired ?? null, code: typeof entry.code === "string" ? entry.code : "error", reason: entry.reason }
    : undefined;
  return { reported, pending, error };
}

function sameJson(a: Json, b: Json | undefined): boolean {
  return b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** `$aws/things/<thing>/shadow[/name/<shadow>]`, the prefix of every shadow topic. */
export function shadowPrefix(thing: string, shadowName?: string): string {
  const base = `$aws/things/${thing}/shadow`;
  return shadowName === undefined ? base : `${base}/name/${shadowName}`;
}
