/** The three operations a client requests by publishing to a shadow topic. */
export type ShadowOperation = "update" | "get" | "delete";

/** The service's answers: `accepted`/`rejected` to all, `delta`/`documents` to update only. */
export type ShadowResponse = "accepted" | "rejected" | "delta" | "documents";

/** A thing's classic shadow when `shadowName` is absent, otherwise one of its named shadows. */
export interface ShadowAddress {
  readonly thing: string;
  readonly shadowName?: string | undefined;
}

export type ParsedShadowTopic =
  | { readonly kind: "request"; readonly address: ShadowAddress; readonly operation: ShadowOperation }
  | {
      readonly kind: "response";
      readonly address: ShadowAddress;
      readonly operation: ShadowOperation;
      readonly response: ShadowResponse;
    };

const OPERATIONS: ReadonlySet<string> = new Set(["update", "get", "delete"]);

// delta and documents exist only under update; get and delete answer accepted or rejected.
const RESPONSES: Readonly<Record<ShadowOperation, ReadonlySet<string>>> = {
  update: new Set(["accepted", "rejected", "delta", "documents"]),
  get: new Set(["accepted", "rejected"]),
  delete: new Set(["accepted", "rejected"]),
};

/** `$aws/things/<thing>/shadow` or `$aws/things/<thing>/shadow/name/<shadowName>`. */
export function shadowTopicPrefix(address: ShadowAddress): string {
  const classic = `$aws/things/${address.thing}/shadow`;
  return address.shadowName === undefined ? classic : `${classic}/name/${address.shadowName}`;
}

export function shadowTopic(
  address: ShadowAddress,
  operation: ShadowOperation,
  response?: ShadowResponse,
): string {
  const request = `${shadowTopicPrefix(address)}/${operation}`;
  return response === undefined ? request : `${request}/${response}`;
}

/** Reads a topic as a shadow request or response; undefined for any other form. */
export function parseShadowTopic(topic: string): ParsedShadowTopic | undefined {
  const parts = topic.split("/");
  const [aws, things, thing, shadow, ...rest] = parts;
  if (aws !== "$aws" || things !== "things" || shadow !== "shadow" || !thing) return undefined;

  let shadowName: string | undefined;
  let tail = rest;
  if (rest[0] === "name") {
    shadowName = rest[1];
    if (!shadowName) return undefined;
    tail = rest.slice(2);
  }

  const [operation, response, ...extra] = tail;
  if (operation === undefined || !OPERATIONS.has(operation) || extra.length > 0) return undefined;
  const op = operation as ShadowOperation;
  const address: ShadowAddress = shadowName === undefined ? { thing } : { thing, shadowName };
  if (response === undefined) return { kind: "request", address, operation: op };
  if (!RESPONSES[op].has(response)) return undefined;
  return { kind: "response", address, operation: op, response: response as ShadowResponse };
}
