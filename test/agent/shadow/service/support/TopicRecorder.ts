import { connectNoDelay } from "./connectNoDelay.js";
import type { MqttClient } from "mqtt";

export interface RecordedMessage {
  readonly topic: string;
  readonly body: Record<string, unknown>;
  readonly raw: string;
}

type Waiter = {
  topic: string;
  predicate: (body: Record<string, unknown>) => boolean;
  resolve: (message: RecordedMessage) => void;
};

/**
 * A client that records every message under a filter, in arrival order, and lets a test await
 * the first message on a topic that matches: synchronisation on the answer itself, not on time.
 */
export class TopicRecorder {
  readonly messages: RecordedMessage[] = [];
  readonly #waiters: Waiter[] = [];

  private constructor(readonly client: MqttClient) {
    client.on("message", (topic, payload) => this.#record(topic, payload.toString("utf8")));
  }

  static async start(url: string, filter: string): Promise<TopicRecorder> {
    const client = await connectNoDelay(url);
    const recorder = new TopicRecorder(client);
    await client.subscribeAsync(filter, { qos: 1 });
    return recorder;
  }

  waitFor(
    topic: string,
    predicate: (body: Record<string, unknown>) => boolean = () => true,
  ): Promise<RecordedMessage> {
    const found = this.messages.find((m) => m.topic === topic && predicate(m.body));
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ topic, predicate, resolve }));
  }

  on(topic: string): RecordedMessage[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  async stop(): Promise<void> {
    await this.client.endAsync();
  }

  #record(topic: string, raw: string): void {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // Requests under test may be invalid JSON on purpose; they are recorded with an empty body.
    }
    const message = { topic, body, raw };
    this.messages.push(message);
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i]!;
      if (waiter.topic === topic && waiter.predicate(body)) {
        this.#waiters.splice(i, 1);
        waiter.resolve(message);
      }
    }
  }
}
