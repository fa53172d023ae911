import { EventEmitter } from "node:events";
import type { IPublishPacket, MqttClient } from "mqtt";
import type { ParsedShadowTopic, ShadowAddress, ShadowResponse } from "../ShadowTopic.js";
import { parseShadowTopic, shadowTopic } from "../ShadowTopic.js";
import { applyDelete } from "./applyDelete.js";
import { applyUpdate, withTail } from "./applyUpdate.js";
import { getResponse } from "./getResponse.js";
import type { JsonObject } from "../JsonValue.js";
import { parseTokenRequest, parseUpdateRequest, peekClientToken } from "./parseShadowRequest.js";
import type { ShadowRecord } from "./ShadowDocument.js";
import { ShadowError } from "./ShadowError.js";
import { ShadowLimits } from "./ShadowLimits.js";
import type { ShadowStore } from "./ShadowStore.js";
import { shadowKey } from "./shadowKey.js";

/** Requests for every thing, classic and named shadows alike. */
export const SHADOW_TOPIC_FILTER = "$aws/things/+/shadow/#";

export interface ShadowServiceOptions {
  /** A connected client; the service adds one subscription and one message listener. */
  readonly client: MqttClient;
  readonly store: ShadowStore;
  /** Epoch milliseconds; timestamps in documents are its seconds. */
  readonly now?: () => number;
  readonly maxInFlightPerThing?: number;
}

export interface ShadowServiceEvents {
  /**
   * A message under the shadow filter that is not served: its topic is no shadow request or
   * response, or it is a retained request replayed by the broker.
   */
  ignored: [topic: string];
  /** A request answered with 500: the store or the broker failed. */
  failed: [error: unknown, topic: string];
}

interface Lane {
  inFlight: number;
  tail: Promise<void>;
}

type Request = Extract<ParsedShadowTopic, { kind: "request" }>;

/**
 * AWS IoT's Device Shadow protocol served on any MQTT broker: the same topics, documents and
 * errors. Requests of one thing are handled one at a time, in arrival order; each accepted change
 * is stored before it is announced.
 */
export class ShadowService extends EventEmitter<ShadowServiceEvents> {
  readonly #client: MqttClient;
  readonly #store: ShadowStore;
  readonly #now: () => number;
  readonly #maxInFlight: number;
  readonly #records = new Map<string, ShadowRecord>();
  readonly #lanes = new Map<string, Lane>();

  constructor(options: ShadowServiceOptions) {
    super();
    this.#client = options.client;
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#maxInFlight = options.maxInFlightPerThing ?? ShadowLimits.inFlightPerThing;
  }

  /** Loads the stored shadows, then subscribes; resolves once requests are being served. */
  async start(): Promise<void> {
    for (const record of await this.#store.load()) {
      this.#records.set(shadowKey(record.address), record);
    }
    this.#client.on("message", this.#onMessage);
    await this.#client.subscribeAsync(SHADOW_TOPIC_FILTER, { qos: 1 });
  }

  /** Stops taking requests and waits for those already taken to be answered. */
  async stop(): Promise<void> {
    this.#client.off("message", this.#onMessage);
    if (this.#client.connected) await this.#client.unsubscribeAsync(SHADOW_TOPIC_FILTER);
    await Promise.all([...this.#lanes.values()].map((lane) => lane.tail));
  }

  /** The stored document of a shadow, for tests and diagnostics; undefined when absent. */
  record(address: ShadowAddress): ShadowRecord | undefined {
    return this.#records.get(shadowKey(address));
  }

  readonly #onMessage = (topic: string, payload: Buffer, packet: IPublishPacket): void => {
    const parsed = parseShadowTopic(topic);
    if (parsed === undefined) {
      if (isUnderShadowFilter(topic)) this.emit("ignored", topic);
      return;
    }
    // Responses, ours included, come back through the same filter.
    if (parsed.kind === "response") return;
    // The broker sets retain only on a stored message replayed at subscription: an old request
    // that would be applied again at every start of the service.
    if (packet.retain) {
      this.emit("ignored", topic);
      return;
    }
    if (!this.#enqueue(parsed.address.thing, () => this.#handle(parsed, payload))) {
      const refused = ShadowError.tooManyRequests().withClientToken(peekClientToken(payload));
      void this.#reject(parsed, refused, topic);
    }
  };

  #enqueue(thing: string, task: () => Promise<void>): boolean {
    let lane = this.#lanes.get(thing);
    if (lane === undefined) {
      lane = { inFlight: 0, tail: Promise.resolve() };
      this.#lanes.set(thing, lane);
    }
    if (lane.inFlight >= this.#maxInFlight) return false;
    lane.inFlight++;
    const current = lane;
    current.tail = current.tail.then(task).finally(() => {
      current.inFlight--;
      if (current.inFlight === 0 && this.#lanes.get(thing) === current) this.#lanes.delete(thing);
    });
    return true;
  }

  async #handle(request: Request, payload: Buffer): Promise<void> {
    const topic = shadowTopic(request.address, request.operation);
    try {
      switch (request.operation) {
        case "update":
          return await this.#update(request.address, payload);
        case "get":
          return await this.#get(request.address, payload);
        case "delete":
          return await this.#delete(request.address, payload);
      }
    } catch (error) {
      if (!(error instanceof ShadowError)) this.emit("failed", error, topic);
      const answer = error instanceof ShadowError
        ? error
        : ShadowError.internal().withClientToken(peekClientToken(payload));
      await this.#reject(request, answer, topic);
    }
  }

  async #update(address: ShadowAddress, payload: Buffer): Promise<void> {
    const request = parseUpdateRequest(payload);
    const key = shadowKey(address);
    const outcome = applyUpdate(address, this.#records.get(key), request, this.#now());
    await this.#store.save(outcome.record);
    this.#records.set(key, outcome.record);

    // Sent back to back without waiting for each PUBACK: the client writes packets in call order,
    // so subscribers still see accepted, delta, documents in that order.
    const published = [this.#publish(address, "update", "accepted", outcome.accepted)];
    if (outcome.delta !== undefined) {
      published.push(this.#publish(address, "update", "delta", outcome.delta));
    }
    published.push(this.#publish(address, "update", "documents", outcome.documents));
    await Promise.all(published);
  }

  async #get(address: ShadowAddress, payload: Buffer): Promise<void> {
    const { clientToken } = parseTokenRequest(payload);
    const record = this.#records.get(shadowKey(address));
    const accepted = getResponse(address, record, this.#now(), clientToken);
    await this.#publish(address, "get", "accepted", accepted);
  }

  async #delete(address: ShadowAddress, payload: Buffer): Promise<void> {
    const { clientToken } = parseTokenRequest(payload);
    const key = shadowKey(address);
    const outcome = applyDelete(address, this.#records.get(key), this.#now(), clientToken);
    await this.#store.save(outcome.record);
    this.#records.set(key, outcome.record);
    await this.#publish(address, "delete", "accepted", outcome.accepted);
  }

  async #reject(request: Request, error: ShadowError, topic: string): Promise<void> {
    const timestamp = Math.floor(this.#now() / 1000);
    const body = withTail({ code: error.code, message: error.message }, undefined, timestamp,
      error.clientToken);
    try {
      await this.#publish(request.address, request.operation, "rejected", body);
    } catch (publishError) {
      this.emit("failed", publishError, topic);
    }
  }

  async #publish(
    address: ShadowAddress,
    operation: Request["operation"],
    response: ShadowResponse,
    body: JsonObject,
  ): Promise<void> {
    const topic = shadowTopic(address, operation, response);
    await this.#client.publishAsync(topic, JSON.stringify(body), { qos: 1 });
  }
}

function isUnderShadowFilter(topic: string): boolean {
  const [aws, things, thing, shadow] = topic.split("/");
  return aws === "$aws" && things === "things" && thing !== undefined && shadow === "shadow";
}
