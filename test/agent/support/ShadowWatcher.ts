import type { MqttClient } from "mqtt";

export interface WatchedMessage {
  readonly topic: string;
  readonly body: Record<string, unknown>;
}

type Waiter = {
  predicate: (message: WatchedMessage) => boolean;
  resolve: (message: WatchedMessage) => void;
};

/**
 * Records every message a client receives and lets a test await the first one that matches:
 * synchronisation on the message itself, never on time.
 */
export class ShadowWatcher {
  readonly messages: WatchedMessage[] = [];
  readonly #waiters = new Set<Waiter>();

  constructor(client: MqttClient) {
    client.on("message", (topic, payload) => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(payload.toString("utf8")) as Record<string, unknown>;
      } catch {
        // Bad payloads published by the tests themselves are kept with an empty body.
      }
      const message = { topic, body };
      this.messages.push(message);
      for (const waiter of this.#waiters) {
        if (waiter.predicate(message)) {
          this.#waiters.delete(waiter);
          waiter.resolve(message);
        }
      }
    });
  }

  /** The first message from now on (or already seen, with `seen`) that matches. */
  next(predicate: (message: WatchedMessage) => boolean, seen = false): Promise<WatchedMessage> {
    const found = seen ? this.messages.find(predicate) : undefined;
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.add({ predicate, resolve }));
  }

  /** The first `/update/accepted` whose reported state has `field` equal to `value`. */
  reported(field: string, value: unknown, seen = false): Promise<WatchedMessage> {
    return this.next((m) => m.topic.endsWith("/update/accepted") &&
      reportedOf(m)?.[field] === value, seen);
  }

  /** The first `/update/accepted` reporting an error for `field`. */
  error(field: string, seen = false): Promise<WatchedMessage> {
    return this.next((m) => m.topic.endsWith("/update/accepted") &&
      typeof (reportedOf(m)?.errors as Record<string, unknown> | undefined)?.[field] === "object",
    seen);
  }
}

export function reportedOf(message: WatchedMessage): Record<string, unknown> | undefined {
  const state = message.body.state as { reported?: Record<string, unknown> } | undefined;
  return state?.reported ?? undefined;
}
