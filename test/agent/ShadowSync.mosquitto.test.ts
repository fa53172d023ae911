import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import { MemoryShadowStore } from "../../agent/shadow/service/MemoryShadowStore.js";
import { ShadowService } from "../../agent/shadow/service/ShadowService.js";
import { AgentRig } from "./support/AgentRig.js";
import { TlsMosquitto } from "./support/TlsMosquitto.js";

describe("the agent on Mosquitto over mutual TLS, through aws-iot-device-sdk-v2", () => {
  let broker: TlsMosquitto;
  let serviceClient: MqttClient;
  let service: ShadowService;
  let appClient: MqttClient;
  let rig: AgentRig;

  beforeAll(async () => {
    broker = await TlsMosquitto.start();
    serviceClient = await broker.connect({ clientId: "shadow-service", reconnectPeriod: 50 });
    service = new ShadowService({ client: serviceClient, store: new MemoryShadowStore() });
    await service.start();
    appClient = await broker.connect({ clientId: "app", reconnectPeriod: 50 });
  });

  afterAll(async () => {
    await service?.stop();
    await Promise.all([serviceClient?.endAsync(true), appClient?.endAsync(true)]);
    await broker?.stop();
  });

  beforeEach(async () => {
    rig = await AgentRig.start({
      app: appClient,
      mqtt: { transport: "iot-core", endpoint: "127.0.0.1", port: broker.port,
        cert: broker.pki.clientCert, key: broker.pki.clientKey, ca: broker.pki.ca },
    });
  });

  afterEach(async () => {
    await rig?.stop();
  });

  it("opens the door the app asked for and reports it open once the ECU confirms", async () => {
    const reported = rig.watcher.reported("door", "open");
    await rig.setDesired({ door: "open" });
    const message = await reported;
    expect(rig.ecu.state("door")).toBe("open");
    expect((message.body.state as Record<string, unknown>).desired).toEqual({ door: null });
  });
});
