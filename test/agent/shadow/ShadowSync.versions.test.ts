import { once } from "node:events";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryShadowStore } from "../../../agent/shadow/service/MemoryShadowStore.js";
import { ShadowService } from "../../../agent/shadow/service/ShadowService.js";
import { AgentRig } from "../support/AgentRig.js";
import { connectNoDelay } from "./service/support/connectNoDelay.js";
import { startAedes, type TestBroker } from "./service/support/brokers.js";

/**
 * A broker open to any client (Mosquitto on a rig, aedes here): a message on a response topic
 * need not come from the shadow service. A version it never wrote must not make the agent
 * drop every real delta as stale from then on.
 */
describe("ShadowSync against versions the shadow service never wrote", () => {
  let broker: TestBroker;
  let serviceClient: MqttClient;
  let service: ShadowService;
  let app: MqttClient;
  let forger: MqttClient;

  beforeAll(async () => {
    broker = await startAedes();
    serviceClient = await connectNoDelay(broker.url);
    service = new ShadowService({ client: serviceClient, store: new MemoryShadowStore() });
    await service.start();
    app = await connectNoDelay(broker.url);
    forger = await connectNoDelay(broker.url);
  });

  afterAll(async () => {
    await service?.stop();
    await Promise.all([serviceClient, app, forger].map((c) => c?.endAsync(true)));
    await broker?.stop();
  });

  const forge = (rig: AgentRig, response: string, body: unknown) =>
    forger.publishAsync(`$aws/things/${rig.thing}/shadow/${response}`, JSON.stringify(body),
      { qos: 1 });

  it("refuses a delta whose version is not a whole number, naming it", async () => {
    const rig = await AgentRig.start({ app, mqtt: { transport: "mqtt", url: broker.url } });
    try {
      const refused = once(rig.parts.sync, "refused");
      const commands = rig.countCommands();
      await forge(rig, "update/delta", { state: { door: "open" }, version: 1e300 });
      const [, reason] = await refused as [string, string];
      expect(reason).toBe("expected a version that is a whole number, found 1e+300");
      expect(commands.count).toBe(0);
      await Promise.all([rig.watcher.reported("door", "open"), rig.setDesired({ door: "open" })]);
      expect(rig.ecu.state("door")).toBe("open");
    } finally {
      await rig.stop();
    }
  });

  for (const response of ["update/delta", "update/accepted"]) {
    it(`reads the shadow again after a ${response} at a version far ahead, and obeys the next`
      + " real delta", async () => {
      const rig = await AgentRig.start({ app, mqtt: { transport: "mqtt", url: broker.url } });
      try {
        await forge(rig, response, { state: {}, version: 99_999 });
        const resynced = once(rig.parts.sync, "synced");
        const reported = rig.watcher.reported("trunk", "open");
        await rig.setDesired({ trunk: "open" });
        const [version] = await resynced as [number];
        expect(version).toBeLessThan(99_999);
        await reported;
        expect(rig.ecu.state("trunk")).toBe("open");
      } finally {
        await rig.stop();
      }
    });
  }
});
