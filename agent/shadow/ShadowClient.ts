import { randomUUID } from "node:crypto";
import type { JsonObject } from "./JsonValue.js";
import { isJsonObject } from "./JsonValue.js";
import { ShadowRejectedError } from "./ShadowRejectedError.js";
import { ShadowTimeoutError } from "./ShadowTimeoutError.js";
import type { ShadowAddress, ShadowOperation } from "./ShadowTopic.js";
import { parseShadowTopic, shadowTopic } from "./ShadowTopic.js";

/** An `/accepted` document: state and metadata as the operation returns them. */
export interface ShadowAccepted {
  state?: JsonObject | null;
  metadata?: JsonObject;
  version: number;
  timestamp: number;
  clientToken?: string;
}

export interface ShadowRequestOptions {
  /** A named shadow; the classic shadow when absent. */
  shadowName?: string;
  /** Echoed by the service; a random one is made when absent. At most 64 bytes. */
  clientToken?: string;
  timeoutMs?: number;
}

/** The body of an update request: `state` plus, for optimistic locking, the expected version. */
export interface ShadowUpdate {
  state: { desired?: JsonObject | null; reported?: JsonObject | null } | null;
  version?: number;
}

/**
 * What the client needs of an MQTT connection: mqtt.js's MqttClient has this shape, and so
 * does the agent's MqttLink over aws-iot-device-sdk-v2.
 */
export interface ShadowMqtt {
  on(event: "message", listener: (topic: string, payload: Buffer) => void): unknown;
  off(event: "message", listener: (topic: string, payload: Buffer) => void): unknown;
  publishAsync(topic: string, payload: string, options: { qos: 1 }): Promise<unknown>;
  subscribeAsync(filters: string[], options: { qos: 1 }): Promise<unknown>;
}

interface Pending {
  resolve: (accepted: ShadowAccepted) => void;
  reject: (error: Error) => void;
}

/**
 * Requests on a shadow service over MQTT, each matched to its answer by clientToken: resolves
 * with the `/accepted` document, rejects with ShadowRejectedError or ShadowTimeoutError.
 */
export class ShadowClient {
  readonly #client: ShadowMqtt;
  readonly #timeoutMs: number;
  readonly #pending = new Map<string, Pending>();
  readonly #subscriptions = new Map<string, Promise<unknown>>();

  constructor(client: ShadowMqtt, options: { timeoutMs?: number } = {}) {
    this.#client = client;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    client.on("message", this.#onMessage);
  }

  get(thing: string, options: ShadowRequestOptions = {}): Promise<ShadowAccepted> {
    return this.#request(thing, "get", {}, options);
  }

  update(
    thing: string,
    update: ShadowUpdate,
    options: ShadowRequestOptions = {},
  ): Promise<ShadowAccepted> {
    return this.#request(thing, "update", { ...update }, options);
  }

  delete(thing: string, options: ShadowRequestOptions = {}): Promise<ShadowAccepted> {
    return this.#request(thing, "delete", {}, options);
  }

  /** Detaches from the MQTT client; requests still waiting keep their timeouts. */
  close(): void {
    this.#client.off("message", this.#onMessage);
  }

  #request(
    thing: string,
    operation: ShadowOperation,
    body: JsonObject,
    options: ShadowRequestOptions,
  ): Promise<ShadowAccepted> {
    const address: ShadowAddress = { thing, shadowName: options.shadowName };
    const topic = shadowTopic(address, operation);
    const clientToken = options.clientToken ?? randomUUID();
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const key = `${topic}\n${clientToken}`;

    // The timeout covers the subscription and the publish too: a client that is offline may
    // hold either for as long as it stays offline.
    const answer = new Promise<ShadowAccepted>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(key);
        reject(new ShadowTimeoutError(operation, topic, timeoutMs, clientToken));
      }, timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        this.#pending.delete(key);
      };
      this.#pending.set(key, {
        resolve: (accepted) => (settle(), resolve(accepted)),
        reject: (error) => (settle(), reject(error)),
      });
    });
    const payload = JSON.stringify({ ...body, clientToken });
    this.#subscribe(address, operation)
      .then(() => this.#client.publishAsync(topic, payload, { qos: 1 }))
      .catch((error: unknown) => this.#pending.get(key)?.reject(error as Error));
    return answer;
  }

  #subscribe(address: ShadowAddress, operation: ShadowOperation): Promise<unknown> {
    const filters = [shadowTopic(address, operation, "accepted"),
      shadowTopic(address, operation, "rejected")];
    const key = filters.join("\n");
    let subscribed = this.#subscriptions.get(key);
    if (subscribed === undefined) {
      subscribed = this.#client.subscribeAsync(filters, { qos: 1 });
      this.#subscriptions.set(key, subscribed);
      // A failed subscription is tried again by the next request instead of failing them all.
      subscribed.catch(() => this.#subscriptions.delete(key));
    }
    return subscribed;
  }

  readonly #onMessage = (topic: string, payload: Buffer): void => {
    const parsed = parseShadowTopic(topic);
    if (parsed?.kind !== "response") return;
    if (parsed.response !== "accepted" && parsed.response !== "rejected") return;
    const body = parseJson(payload);
    if (body === undefined || typeof body.clientToken !== "string") return;

    const requestTopic = shadowTopic(parsed.address, parsed.operation);
    const pending = this.#pending.get(`${requestTopic}\n${body.clientToken}`);
    if (pending === undefined) return;
    if (parsed.response === "accepted") {
      pending.resolve(body as unknown as ShadowAccepted);
      return;
    }
    const code = typeof body.code === "number" ? body.code : 0;
    const message = typeof body.message === "string" ? body.message : "";
    pending.reject(
      new ShadowRejectedError(parsed.operation, requestTopic, code, message, body.clientToken),
    );
  };
}

function parseJson(payload: Buffer): JsonObject | undefined {
  try {
    const body: unknown = JSON.parse(payload.toString("utf8"));
    return isJsonObject(body) ? body : undefined;
  } catch {
    return undefined;
  }
}
