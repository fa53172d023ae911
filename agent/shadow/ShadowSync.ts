import { EventEmitter } from "node:events";
import type { BodyOutcome } from "../body/BodyOutcome.js";
import type { Component, ComponentHealth } from "../Component.js";
import type { MqttLink } from "../mqtt/MqttLink.js";
import { backoffDelay } from "../mqtt/backoffDelay.js";
import { DeltaGate } from "./DeltaGate.js";
import type { JsonObject, JsonValue } from "./JsonValue.js";
import { isJsonObject, setKey } from "./JsonValue.js";
import type { ShadowAccepted } from "./ShadowClient.js";
import { ShadowClient } from "./ShadowClient.js";
import { ShadowRejectedError } from "./ShadowRejectedError.js";
import type { ShadowAddress } from "./ShadowTopic.js";
import { parseShadowTopic, shadowTopic } from "./ShadowTopic.js";
import { shadowKey } from "./service/shadowKey.js";
import { jsonEqual } from "./service/jsonEqual.js";

/** What the sync needs of the body: BodyController has this shape. */
export interface BodyPort {
  apply(field: string, value: JsonValue): Promise<BodyOutcome>;
  snapshot(): JsonObject;
  on(event: "changed", listener: (field: string, value: JsonValue) => void): unknown;
  off(event: "changed", listener: (field: string, value: JsonValue) => void): unknown;
}

export interface ShadowSyncOptions {
  readonly link: MqttLink;
  readonly address: ShadowAddress;
  readonly body: BodyPort;
  readonly requestTimeoutMs: number;
  /** Messages larger than this are refused unread; AWS's shadow documents stay under 8 KiB. */
  readonly maxMessageBytes?: number;
}

export interface ShadowSyncEvents {
  /** The shadow was read after a connection and the body reconciled with it. */
  synced: [version: number];
  /** A desired value was acted on (or refused), with the outcome that was reported. */
  outcome: [outcome: BodyOutcome];
  /** A delta older than the last version seen, or already applied. */
  stale: [version: number, lastSeen: number];
  /** A message that is not a usable shadow message; nothing was done with it. */
  refused: [topic: string, reason: string];
  /** A request that failed; the next sync repairs what it left undone. */
  failed: [error: Error, during: string];
}

const MAX_CONFLICT_RETRIES = 3;

/**
 * Keeps the body in step with a device shadow: reads the shadow after every connection, applies
 * each new delta, reports each outcome once the body ECU confirmed it (clearing the desired value
 * it acted on, see the README), and reports changes seen on CAN without a command.
 */
export class ShadowSync extends EventEmitter<ShadowSyncEvents> implements Component {
  readonly name = "shadow-sync";
  readonly #link: MqttLink;
  readonly #address: ShadowAddress;
  readonly #body: BodyPort;
  readonly #client: ShadowClient;
  readonly #maxBytes: number;
  readonly #gate = new DeltaGate();
  #checking = false;
  readonly #errorFields = new Set<string>();
  #version = 0;
  #queue: Promise<void> = Promise.resolve();
  #syncs = 0;
  #lastError: string | null = null;
  #running = false;
  #syncRetry: NodeJS.Timeout | undefined;
  #syncFailures = 0;

  constructor(options: ShadowSyncOptions) {
    super();
    this.#link = options.link;
    this.#address = options.address;
    this.#body = options.body;
    this.#maxBytes = options.maxMessageBytes ?? 64 * 1024;
    this.#client = new ShadowClient(options.link, { timeoutMs: options.requestTimeoutMs });
  }

  async start(): Promise<void> {
    this.#running = true;
    this.#link.on("connect", this.#onConnect);
    this.#link.on("message", this.#onMessage);
    this.#body.on("changed", this.#onChanged);
    if (this.#link.connected) this.#onConnect();
    await this.#queue;
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#syncRetry);
    this.#link.off("connect", this.#onConnect);
    this.#link.off("message", this.#onMessage);
    this.#body.off("changed", this.#onChanged);
    await this.#queue;
    this.#client.close();
  }

  health(): ComponentHealth {
    return {
      ok: this.#link.connected && this.#lastError === null,
      details: { connected: this.#link.connected, version: this.#version, syncs: this.#syncs,
        lastError: this.#lastError },
    };
  }

  /** Resolves once everything queued so far (syncs, deltas, reports) is done. */
  idle(): Promise<void> {
    return this.#queue;
  }

  readonly #onConnect = (): void => {
    this.#syncFailures = 0;
    this.#enqueueSync();
  };

  /** A sync that failed (no answer to the GET) is tried again while the link stays up. */
  #enqueueSync(): void {
    clearTimeout(this.#syncRetry);
    this.#syncRetry = undefined;
    this.#enqueue("sync", async () => {
      try {
        await this.#sync();
        this.#syncFailures = 0;
      } catch (error) {
        if (this.#running && this.#link.connected) {
          const delay = backoffDelay(this.#syncFailures++, 500, 30_000);
          this.#syncRetry = setTimeout(() => this.#enqueueSync(), delay);
        }
        throw error;
      }
    });
  }

  readonly #onChanged = (field: string, value: JsonValue): void => {
    const reported: JsonObject = {};
    setKey(reported, field, value);
    this.#enqueue("report", () => this.#update({ reported }));
  };

  readonly #onMessage = (topic: string, payload: Buffer): void => {
    const parsed = parseShadowTopic(topic);
    if (parsed?.kind !== "response") return;
    if (shadowKey(parsed.address) !== shadowKey(this.#address)) {
      this.emit("refused", topic, "not this agent's shadow");
      return;
    }
    const isDelta = parsed.operation === "update" && parsed.response === "delta";
    const isAccepted = parsed.response === "accepted" && parsed.operation !== "delete";
    if (!isDelta && !isAccepted) return;
    const body = this.#parse(topic, payload);
    if (body === undefined) return;
    if (isAccepted) {
      this.#gate.observe(body.version);
      this.#version = Math.max(this.#version, body.version);
      if (parsed.operation === "update") this.#clearMet(body.state);
      return;
    }
    this.#onDelta(topic, body);
  };

  #onDelta(topic: string, body: { version: number; state?: JsonValue }): void {
    if (!isJsonObject(body.state)) {
      this.emit("refused", topic, "expected a state object in the delta");
      return;
    }
    const lastSeen = this.#gate.lastSeen;
    if (!this.#gate.admit(body.version)) {
      this.emit("stale", body.version, lastSeen);
      if (body.version !== this.#gate.lastApplied) this.#checkVersion();
      return;
    }
    this.#version = Math.max(this.#version, body.version);
    const state = body.state;
    // Acting starts at once; only the reports wait their turn in the queue.
    const outcomes = Promise.all(Object.entries(state).map(([k, v]) => this.#body.apply(k, v)));
    this.#enqueue("report", async () => this.#reportOutcomes(await outcomes));
  }

  /**
   * A delta refused as stale, not a duplicate: normally a late one, but it may follow a version
   * the service never wrote (a forged or replayed message on a broker open to any client),
   * after which every real delta would be dropped. The service's document settles it; one
   * check at a time, so a flood of stale deltas costs one GET.
   */
  #checkVersion(): void {
    if (this.#checking) return;
    this.#checking = true;
    this.#enqueue("sync", async () => {
      try {
        const document = await this.#get();
        if (this.#resyncIfBehind(document.version)) await this.#sync();
      } finally {
        this.#checking = false;
      }
    });
  }

  /** True (and reported) when the service's version is below one seen: a resync is due. */
  #resyncIfBehind(version: number): boolean {
    const lastSeen = this.#gate.lastSeen;
    if (version >= lastSeen) return false;
    this.emit("refused", shadowTopic(this.#address, "get", "accepted"),
      `the shadow is at version ${version}, below version ${lastSeen} seen on a message: `
      + "that message was not the service's; reading the shadow again");
    return true;
  }

  /**
   * A desired value the body already shows gets no delta, so it would stay in desired for good
   * and turn into a delta the moment a hand changes the body: it is cleared like any other.
   */
  #clearMet(state: JsonValue | undefined): void {
    if (!isJsonObject(state) || !isJsonObject(state.desired)) return;
    const body = this.#body.snapshot();
    const met = new Map<string, JsonValue>();
    for (const [field, value] of Object.entries(state.desired)) {
      if (value !== null && sameAt(body, field, value)) met.set(field, value);
    }
    if (met.size === 0) return;
    const reported: JsonObject = {};
    for (const [field, value] of met) setKey(reported, field, value);
    this.#enqueue("report", () => this.#reportAndClear(reported, met, {}));
  }

  #parse(topic: string, payload: Buffer): { version: number; state?: JsonValue } | undefined {
    if (payload.length > this.#maxBytes) {
      this.emit("refused", topic, `message of ${payload.length} bytes over ${this.#maxBytes}`);
      return undefined;
    }
    let body: unknown;
    try {
      body = JSON.parse(payload.toString("utf8"));
    } catch (error) {
      this.emit("refused", topic, `not JSON: ${(error as Error).message}`);
      return undefined;
    }
    if (!isJsonObject(body) || typeof body.version !== "number") {
      this.emit("refused", topic, "expected an object with a numeric version");
      return undefined;
    }
    // Versions count updates from 1; 1e300 or 2.5 would lock the gate against every real delta.
    if (!Number.isSafeInteger(body.version) || body.version < 0) {
      this.emit("refused", topic, `expected a version that is a whole number, found ${
        String(body.version)}`);
      return undefined;
    }
    return body as { version: number; state?: JsonValue };
  }

  #enqueue(during: string, task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch((error: unknown) => {
      this.#lastError = (error as Error).message;
      this.emit("failed", error as Error, during);
    });
  }

  /** GET, then report what the body shows differently and act on the delta. */
  async #sync(): Promise<void> {
    if (!this.#running) return;
    await this.#link.subscribeAsync(this.#filters(), { qos: 1 });
    const document = await this.#get();
    this.#gate.cover(document.version);
    this.#version = document.version;
    this.#lastError = null;
    this.#syncs++;

    const state = isJsonObject(document.state) ? document.state : {};
    const reported = isJsonObject(state.reported) ? state.reported : {};
    this.#errorFields.clear();
    if (isJsonObject(reported.errors)) {
      for (const field of Object.keys(reported.errors)) this.#errorFields.add(field);
    }
    const differs: JsonObject = {};
    for (const [field, value] of Object.entries(this.#body.snapshot())) {
      if (!sameAt(reported, field, value)) setKey(differs, field, value);
    }
    const delta = isJsonObject(state.delta) ? state.delta : {};
    const outcomes = await Promise.all(
      Object.entries(delta).map(([field, value]) => this.#body.apply(field, value)),
    );
    await this.#reportOutcomes(outcomes, differs);
    this.emit("synced", this.#version);
  }

  async #get(): Promise<ShadowAccepted> {
    try {
      return await this.#client.get(this.#address.thing, this.#options());
    } catch (error) {
      // A shadow never written yet is a document with no state at version 0.
      if (error instanceof ShadowRejectedError && error.code === 404) {
        return { version: 0, timestamp: 0 };
      }
      throw error;
    }
  }

  async #reportOutcomes(outcomes: BodyOutcome[], extra: JsonObject = {}): Promise<void> {
    const reported: JsonObject = { ...extra };
    const errors: JsonObject = {};
    const acted = new Map<string, JsonValue>();
    for (const outcome of outcomes) {
      // A superseded value is not reported: the newer value's outcome will be.
      if (!outcome.ok && outcome.code === "superseded") continue;
      this.emit("outcome", outcome);
      acted.set(outcome.field, outcome.desired);
      if (outcome.reported !== undefined) setKey(reported, outcome.field, outcome.reported);
      if (outcome.ok) {
        if (this.#errorFields.has(outcome.field)) setKey(errors, outcome.field, null);
      } else {
        setKey(errors, outcome.field, { desired: outcome.desired, code: outcome.code,
          reason: outcome.reason });
      }
    }
    if (Object.keys(errors).length > 0) reported.errors = errors;
    if (acted.size === 0 && Object.keys(reported).length === 0) return;
    await this.#reportAndClear(reported, acted, errors);
  }

  /**
   * Reports and clears the desired values acted on, in one update locked to the version last
   * seen: if the app changed desired meanwhile (409), the shadow is read again and only values
   * still as they were acted on are cleared.
   */
  async #reportAndClear(
    reported: JsonObject,
    acted: Map<string, JsonValue>,
    errors: JsonObject,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const clear: JsonObject = {};
      for (const field of acted.keys()) setKey(clear, field, null);
      const state = acted.size === 0 ? { reported } : { reported, desired: clear };
      try {
        await this.#update(state, acted.size === 0 ? undefined : this.#version);
        for (const [field, value] of Object.entries(errors)) {
          if (value === null) this.#errorFields.delete(field);
          else this.#errorFields.add(field);
        }
        return;
      } catch (error) {
        const conflict = error instanceof ShadowRejectedError && error.code === 409;
        if (!conflict || attempt >= MAX_CONFLICT_RETRIES) throw error;
      }
      const document = await this.#get();
      if (this.#resyncIfBehind(document.version)) {
        this.#enqueue("sync", () => this.#sync());
        return;
      }
      this.#version = document.version;
      this.#gate.observe(document.version);
      const desired = isJsonObject(document.state) && isJsonObject(document.state.desired)
        ? document.state.desired
        : {};
      for (const [field, value] of acted) {
        if (!sameAt(desired, field, value)) acted.delete(field);
      }
    }
  }

  async #update(
    state: { reported?: JsonObject; desired?: JsonObject },
    version?: number,
  ): Promise<void> {
    const update = version === undefined ? { state } : { state, version };
    const accepted = await this.#client.update(this.#address.thing, update, this.#options());
    this.#version = Math.max(this.#version, accepted.version);
    this.#gate.observe(accepted.version);
  }

  #options(): { shadowName?: string } {
    const name = this.#address.shadowName;
    return name === undefined ? {} : { shadowName: name };
  }

  #filters(): string[] {
    return [
      shadowTopic(this.#address, "update", "delta"),
      shadowTopic(this.#address, "update", "accepted"),
      shadowTopic(this.#address, "update", "rejected"),
      shadowTopic(this.#address, "get", "accepted"),
      shadowTopic(this.#address, "get", "rejected"),
    ];
  }
}

function sameAt(object: JsonObject, field: string, value: JsonValue): boolean {
  return Object.hasOwn(object, field) && jsonEqual(object[field]!, value);
}
