import type mqtt from "mqtt";
import type { MqttClient } from "mqtt";
import type { PageSettings } from "../PageSettings.js";
import { EMPTY_VIEW, isRecord, shadowPrefix, supersedes, viewOf } from "./shadowState.js";
import type { Json, ShadowView } from "./shadowState.js";

export type ConnectionState = "connecting" | "connected" | "offline";

export interface ShadowConnectionHandlers {
  view(view: ShadowView): void;
  state(state: ConnectionState, detail: string): void;
  /** The shadow refused one of this page's requests. */
  rejected(message: string): void;
}

/**
 * The page as a cloud app: it sets `desired` with `/update`, reads the document with `/get`
 * after every connection, and follows every change through `/update/documents`.
 */
export class ShadowConnection {
  readonly #prefix: string;
  readonly #tokenPrefix = `page-${Math.random().toString(36).slice(2, 10)}`;
  #tokens = 0;
  #client: MqttClient | undefined;
  #view: ShadowView = EMPTY_VIEW;

  constructor(
    private readonly library: typeof mqtt,
    private readonly url: string,
    settings: PageSettings,
    private readonly handlers: ShadowConnectionHandlers,
  ) {
    this.#prefix = shadowPrefix(settings.thing, settings.shadowName);
  }

  connect(): void {
    this.handlers.state("connecting", this.url);
    const client = this.library.connect(this.url, {
      clientId: `roadrig-${this.#tokenPrefix}`,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
    });
    this.#client = client;
    client.on("connect", () => this.#onConnect(client));
    client.on("offline", () => this.handlers.state("offline", this.url));
    client.on("reconnect", () => this.handlers.state("connecting", this.url));
    client.on("message", (topic, payload) => this.#onMessage(topic, payload));
  }

  setDesired(field: string, value: Json): void {
    const request = { state: { desired: { [field]: value } }, clientToken: this.#token() };
    this.#client?.publish(`${this.#prefix}/update`, JSON.stringify(request), { qos: 1 });
  }

  #onConnect(client: MqttClient): void {
    const topics = ["get/accepted", "get/rejected", "update/documents", "update/rejected"]
      .map((t) => `${this.#prefix}/${t}`);
    // The GET goes out once the answers have somewhere to arrive.
    client.subscribe(topics, { qos: 1 }, (error) => {
      if (error) {
        this.handlers.state("offline", `subscribing failed: ${error.message}`);
        return;
      }
      this.handlers.state("connected", this.url);
      client.publish(`${this.#prefix}/get`, JSON.stringify({ clientToken: this.#token() }),
        { qos: 1 });
    });
  }

  #onMessage(topic: string, payload: Uint8Array): void {
    let message: unknown;
    try {
      message = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return;
    }
    const suffix = topic.slice(this.#prefix.length + 1);
    if (suffix === "get/accepted" || suffix === "update/documents") {
      const view = viewOf(message);
      if (view !== undefined && supersedes(this.#view, view, suffix === "get/accepted")) {
        this.#view = view;
        this.handlers.view(view);
      }
      return;
    }
    if (!isRecord(message) || !this.#isMine(message.clientToken)) return;
    if (suffix === "get/rejected" && message.code === 404) {
      // No shadow yet: an empty document at version 0.
      this.handlers.view(this.#view);
      return;
    }
    this.handlers.rejected(`${JSON.stringify(message.code)}: ${JSON.stringify(message.message)}`);
  }

  #token(): string {
    return `${this.#tokenPrefix}-${++this.#tokens}`;
  }

  #isMine(token: unknown): boolean {
    return typeof token === "string" && token.startsWith(`${this.#tokenPrefix}-`);
  }
}
