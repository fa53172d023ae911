import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryShadowStore } from "../../../../agent/shadow/service/MemoryShadowStore.js";
import { casePath, hasShared } from "../../../support/sharedData.js";
import type { TestBroker } from "./support/brokers.js";
import { startAedes } from "./support/brokers.js";
import { ShadowRig } from "./support/ShadowRig.js";

interface Step {
  update: { state: unknown };
  expect: { version: number; delta_published?: unknown; get_state?: unknown };
}

function readCase<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(casePath(...parts), "utf8")) as T;
}

describe.skipIf(!hasShared)("shadow cases from public bug reports", () => {
  let broker: TestBroker;
  let rig: ShadowRig;

  beforeAll(async () => {
    broker = await startAedes();
    rig = await ShadowRig.start(broker.url);
  });

  afterAll(async () => {
    await rig?.stop();
    await broker?.stop();
  });

  /** Runs update steps on a fresh thing, checking version, /delta (or its absence) and GET. */
  async function runSteps(thing: string, steps: Step[]): Promise<void> {
    const update = `$aws/things/${thing}/shadow/update`;
    for (const step of steps) {
      const accepted = await rig.shadow.update(thing, step.update as never);
      expect(accepted.version).toBe(step.expect.version);
      // /documents follows any /delta of the same update on the service's connection.
      await rig.recorder.waitFor(`${update}/documents`,
        (b) => (b.current as { version: number }).version === step.expect.version);
      if (step.expect.delta_published !== undefined) {
        const deltas = rig.recorder.on(`${update}/delta`)
          .filter((m) => m.body.version === step.expect.version)
          .map((m) => ({ state: m.body.state, version: m.body.version }));
        const published = step.expect.delta_published;
        expect(deltas).toEqual(published === null ? [] : [published]);
      }
      if (step.expect.get_state !== undefined) {
        expect((await rig.shadow.get(thing)).state).toEqual(step.expect.get_state);
      }
    }
  }

  it("aws-iot-device-sdk-js#52: deleting desired keys with null publishes no delta", async () => {
    const { steps } = readCase<{ steps: Step[] }>("aws-iot-device-sdk-js-52", "sequence.json");
    await runSteps("case-52", steps);
  });

  it("greengrass-shadow#199: a key named state is data; only top-level state null clears", async () => {
    const { steps } = readCase<{ steps: Step[] }>("greengrass-shadow-199", "sequence.json");
    await runSteps("case-199", steps);
  });

  it("greengrass-shadow#178: a delta node is refused with 400 and the version is kept", async () => {
    const { request, expected } = readCase<{
      request: unknown;
      expected: { code: number; message_contains: string };
    }>("greengrass-shadow-178", "request.json");
    await rig.shadow.update("case-178", { state: { reported: { speed: 1 } } });
    const topic = "$aws/things/case-178/shadow/update";
    await rig.appClient.publishAsync(topic, JSON.stringify(request), { qos: 1 });
    const rejected = await rig.recorder.waitFor(`${topic}/rejected`);
    expect(rejected.body.code).toBe(expected.code);
    expect(rejected.body.message).toContain(expected.message_contains);
    expect((await rig.shadow.get("case-178")).version).toBe(1);
  });

  it("aws-iot-device-sdk-python#94: accepted and delta of one update carry the same version", async () => {
    const sequence = readCase<{
      thing: string;
      device_last_version_in_sync_before: number;
      incoming_in_arrival_order: { topic: string; payload: { state: unknown; version: number } }[];
    }>("aws-iot-device-sdk-python-94", "sequence.json");
    const { thing } = sequence;
    const [acceptedCase, deltaCase] = sequence.incoming_in_arrival_order;
    // Bring the shadow to the version the device last saw, through the store as after a restart,
    // with a service of its own on a broker of its own.
    const ownStore = new MemoryShadowStore();
    await ownStore.save({
      address: { thing },
      version: sequence.device_last_version_in_sync_before,
      document: {
        state: { reported: { windowOpen: true } },
        metadata: { reported: { windowOpen: { timestamp: 1 } } },
        version: sequence.device_last_version_in_sync_before,
        timestamp: 1,
      },
    });
    const ownBroker = await startAedes();
    const restarted = await ShadowRig.start(ownBroker.url, { store: ownStore });
    try {
      const request = { state: acceptedCase!.payload.state } as never;
      const accepted = await restarted.shadow.update(thing, request);
      const delta = await restarted.recorder.waitFor(`$aws/things/${thing}/shadow/update/delta`);
      expect({ state: accepted.state, version: accepted.version }).toEqual(acceptedCase!.payload);
      expect({ state: delta.body.state, version: delta.body.version }).toEqual(deltaCase!.payload);
    } finally {
      await restarted.stop();
      await ownBroker.stop();
    }
  });
});
