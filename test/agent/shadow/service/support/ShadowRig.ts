import { connectNoDelay } from "./connectNoDelay.js";
import type { MqttClient } from "mqtt";
import { ShadowClient } from "../../../../../agent/shadow/ShadowClient.js";
import { ShadowService } from "../../../../../agent/shadow/service/ShadowService.js";
import type { ShadowStore } from "../../../../../agent/shadow/service/ShadowStore.js";
import { MemoryShadowStore } from "../../../../../agent/shadow/service/MemoryShadowStore.js";
import { TopicRecorder } from "./TopicRecorder.js";

/** A fixed clock the tests move by hand, so that every timestamp can be asserted exactly. */
export class TestClock {
  constructor(public ms = 1_700_000_000_000) {}
  readonly now = (): number => this.ms;
  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }
}

/** Service, requesting client and recorder, each on its own connection to one broker. */
export class ShadowRig {
  private constructor(
    readonly service: ShadowService,
    readonly serviceClient: MqttClient,
    readonly appClient: MqttClient,
    readonly shadow: ShadowClient,
    readonly recorder: TopicRecorder,
    readonly clock: TestClock,
  ) {}

  static async start(
    url: string,
    options: { store?: ShadowStore; clock?: TestClock; maxInFlightPerThing?: number } = {},
  ): Promise<ShadowRig> {
    const clock = options.clock ?? new TestClock();
    const serviceClient = await connectNoDelay(url);
    const service = new ShadowService({
      client: serviceClient,
      store: options.store ?? new MemoryShadowStore(),
      now: clock.now,
      maxInFlightPerThing: options.maxInFlightPerThing,
    });
    await service.start();
    const appClient = await connectNoDelay(url);
    const recorder = await TopicRecorder.start(url, "$aws/things/+/shadow/#");
    return new ShadowRig(service, serviceClient, appClient, new ShadowClient(appClient, {
      timeoutMs: 10_000,
    }), recorder, clock);
  }

  async stop(): Promise<void> {
    this.shadow.close();
    await this.service.stop();
    await Promise.all([this.serviceClient.endAsync(), this.appClient.endAsync(),
      this.recorder.stop()]);
  }
}
