import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import { MemoryShadowStore } from "../../agent/shadow/service/MemoryShadowStore.js";
import { ShadowService } from "../../agent/shadow/service/ShadowService.js";
import { AgentRig } from "./support/AgentRig.js";
import { TlsMosquitto } from "./support/TlsMosquitto.js";

describe("the agent's plain MQTT transport (mqtt.js) on Mosquitto over mutual TLS", () => {
  let broker: TlsMosquitto;
  let serviceClient: MqttClient;
  let service: ShadowService;
  let appClient: MqttClient;

  beforeAll(async () => {
    broker = await TlsMosquitto.start();
    serviceClient = await broker.connect({ clientId: "shadow-service", reconnectPeriod: 20 });
    service = new ShadowService({ client: serviceClient, store: new MemoryShadowStore() });
    await service.start();
    appClient = await broker.connect({ clientId: "app", reconnectPeriod: 20 });
  });

  afterAll(async () => {
    await service?.stop();
    await Promise.all([serviceClient?.endAsync(true), appClient?.endAsync(true)]);
    await broker?.stop();
  });

  const mqtt = () => ({ transport: "mqtt" as const, url: broker.url,
    cert: broker.pki.clientCert, key: broker.pki.clientKey, ca: broker.pki.ca });

  it("keeps a named shadow in step, and subscribes again after the broker lost its session",
    async () => {
      const rig = await AgentRig.start({ app: appClient, mqtt: mqtt(), shadowName: "body" });
      try {
        await Promise.all([rig.watcher.reported("trunk", "open"), rig.setDesired({ trunk: "open" })]);
        const reconnected = new Promise<boolean>((resolve) =>
          rig.parts.link.once("connect", resolve));
        const resynced = new Promise((resolve) => rig.parts.sync.once("synced", resolve));
        await broker.halt();
        await broker.resume();
        // Mosquitto runs without persistence here: the session is gone after the restart.
        expect(await reconnected).toBe(false);
        await resynced;
        const reported = rig.watcher.reported("windowFR", 70);
        await rig.setDesired({ windowFR: 70 });
        await reported;
        expect(rig.ecu.state("windowFR")).toBe(70);
      } finally {
        await rig.stop();
      }
    });
});
