import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ShadowRejectedError } from "../../../../agent/shadow/ShadowRejectedError.js";
import { FileShadowStore } from "../../../../agent/shadow/service/FileShadowStore.js";
import type { ShadowRecord } from "../../../../agent/shadow/service/ShadowDocument.js";
import type { ShadowStore } from "../../../../agent/shadow/service/ShadowStore.js";
import { MemoryShadowStore } from "../../../../agent/shadow/service/MemoryShadowStore.js";
import type { TestBroker } from "./support/brokers.js";
import { startAedes } from "./support/brokers.js";
import { connectNoDelay } from "./support/connectNoDelay.js";
import { ShadowRig, TestClock } from "./support/ShadowRig.js";

/** A memory store whose saves wait until the test opens the gate, or fail when told to. */
class GatedStore extends MemoryShadowStore {
  #open!: () => void;
  readonly gate = new Promise<void>((resolve) => (this.#open = resolve));
  failing = false;

  open(): void {
    this.#open();
  }

  override async save(record: ShadowRecord): Promise<void> {
    await this.gate;
    if (this.failing) throw new Error("disk full");
    return super.save(record);
  }
}

describe("shadow service", () => {
  let broker: TestBroker;
  const rigs: ShadowRig[] = [];
  const dirs: string[] = [];

  async function rig(options: { store?: ShadowStore; clock?: TestClock; max?: number } = {}) {
    const started = await ShadowRig.start(broker.url, {
      store: options.store, clock: options.clock, maxInFlightPerThing: options.max,
    });
    rigs.push(started);
    return started;
  }

  beforeAll(async () => {
    broker = await startAedes();
  });

  afterEach(async () => {
    await Promise.all(rigs.splice(0).map((r) => r.stop()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it("keeps documents, versions and deletes across a restart on the same directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "roadrig-shadow-"));
    dirs.push(dir);
    const clock = new TestClock();
    const first = await rig({ store: new FileShadowStore(dir), clock });
    await first.shadow.update("car", { state: { desired: { door: "locked" } } });
    await first.shadow.update("car", { state: { reported: { door: "open" } } });
    await first.shadow.update("car", { state: { reported: { fan: 1 } } }, { shadowName: "hvac" });
    await first.shadow.update("bus", { state: { reported: { a: 1 } } });
    await first.shadow.delete("bus");
    const before = await first.shadow.get("car", { clientToken: "again" });
    await first.stop();
    rigs.splice(rigs.indexOf(first), 1);

    const second = await rig({ store: new FileShadowStore(dir), clock });
    const after = await second.shadow.get("car", { clientToken: "again" });
    expect(after).toEqual({ ...before, clientToken: "again" });
    expect((await second.shadow.get("car", { shadowName: "hvac" })).version).toBe(1);
    const gone = await second.shadow.get("bus").catch((e: unknown) => e);
    expect((gone as ShadowRejectedError).code).toBe(404);
    const next = await second.shadow.update("car", { state: { reported: { door: "locked" } } });
    expect(next.version).toBe(3);
    const recreated = await second.shadow.update("bus", { state: { reported: { a: 2 } } });
    expect(recreated.version).toBe(2);
  });

  it("refuses requests beyond the in-flight limit of a thing with 429, others pass", async () => {
    const store = new GatedStore();
    const r = await rig({ store, max: 3 });
    const topic = "$aws/things/busy/shadow/update";
    for (let i = 0; i < 5; i++) {
      const payload = JSON.stringify({ state: { reported: { i } }, clientToken: `t${i}` });
      await r.appClient.publishAsync(topic, payload, { qos: 1 });
    }
    const refused = await Promise.all(["t3", "t4"].map((token) =>
      r.recorder.waitFor(`${topic}/rejected`, (b) => b.clientToken === token)));
    expect(refused.map((m) => [m.body.code, m.body.message])).toEqual([
      [429, "Too Many Requests"], [429, "Too Many Requests"],
    ]);

    // Another thing has its own lane: the gate blocks it too, but it is not refused.
    const other = r.shadow.update("calm", { state: { reported: { ok: true } } });
    store.open();
    expect((await other).version).toBe(1);
    const accepted = await r.recorder.waitFor(`${topic}/accepted`, (b) => b.clientToken === "t2");
    expect(accepted.body.version).toBe(3);
    expect(r.recorder.on(`${topic}/rejected`)).toHaveLength(2);
  });

  it("does not apply a retained request that the broker replays at subscription", async () => {
    const topic = "$aws/things/stale/shadow/update";
    const publisher = await connectNoDelay(broker.url);
    await publisher.publishAsync(topic, '{"state":{"desired":{"door":"open"}}}', {
      qos: 1, retain: true,
    });
    const clock = new TestClock();
    const store = new MemoryShadowStore();
    const started = rig({ store, clock });
    try {
      const r = await started;
      // The replay may reach the service before start() resolves; the record shows the outcome.
      expect(r.service.record({ thing: "stale" })).toBeUndefined();
      const fresh = await r.shadow.update("stale", { state: { reported: { door: "shut" } } });
      expect(fresh.version).toBe(1);
    } finally {
      await publisher.publishAsync(topic, "", { qos: 1, retain: true });
      await publisher.endAsync();
    }
  });

  it("answers 500 when the store fails, reports the failure, and stores nothing", async () => {
    const store = new GatedStore();
    store.failing = true;
    store.open();
    const r = await rig({ store });
    const failed = once(r.service, "failed");
    const error = await r.shadow.update("car", { state: { reported: { a: 1 } } }, {
      clientToken: "f",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShadowRejectedError);
    expect([(error as ShadowRejectedError).code, (error as ShadowRejectedError).serviceMessage])
      .toEqual([500, "Internal service failure"]);
    const [cause, topic] = (await failed) as [Error, string];
    expect([cause.message, topic]).toEqual(["disk full", "$aws/things/car/shadow/update"]);
    expect(r.service.record({ thing: "car" })).toBeUndefined();
  });
});
