import { once } from "node:events";
import { connect } from "node:net";
import { connectAsync } from "mqtt";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedShadowBroker } from "../../../agent/embedded/EmbeddedShadowBroker.js";
import { ShadowClient } from "../../../agent/shadow/ShadowClient.js";
import { ShadowWatcher } from "../support/ShadowWatcher.js";

const shadow = "$aws/things/car-1/shadow";

describe("the embedded broker: only its shadow service answers", () => {
  let broker: EmbeddedShadowBroker;
  let device: MqttClient;
  let watcher: ShadowWatcher;

  beforeAll(async () => {
    broker = new EmbeddedShadowBroker({ port: 0 });
    await broker.start();
    device = await connectAsync(broker.url, { clientId: "device", reconnectPeriod: 0 });
    watcher = new ShadowWatcher(device);
    await device.subscribeAsync(`${shadow}/#`, { qos: 1 });
  });

  afterAll(async () => {
    await device?.endAsync(true);
    await broker?.stop();
  });

  it("closes a client that publishes a delta, and delivers it to no one", async () => {
    const forger = await connectAsync(broker.url, { clientId: "forger", reconnectPeriod: 0 });
    const closed = new Promise<void>((resolve) => forger.once("close", () => resolve()));
    forger.publish(`${shadow}/update/delta`, JSON.stringify({ state: { door: "open" },
      version: 7 }), { qos: 0 });
    await closed;
    forger.end(true);
    // The service's own answer to a real request comes after: the forged delta never did.
    const app = new ShadowClient(device, { timeoutMs: 5000 });
    await app.update("car-1", { state: { desired: { door: "open" } } });
    app.close();
    const delta = await watcher.next((m) => m.topic === `${shadow}/update/delta`, true);
    expect(delta.body).toMatchObject({ version: 1 });
    expect(watcher.messages.filter((m) => m.topic === `${shadow}/update/delta`)).toHaveLength(1);
  });

  it("refuses the service's client ID to anyone else, and the service keeps answering", async () => {
    await expect(connectAsync(broker.url, { clientId: "roadrig-shadow-service",
      reconnectPeriod: 0 })).rejects.toThrow(/Identifier rejected/i);
    const app = new ShadowClient(device, { timeoutMs: 5000 });
    const document = await app.get("car-1");
    app.close();
    expect(document.state?.desired).toEqual({ door: "open" });
    expect(broker.health().ok).toBe(true);
  });
});

describe("the embedded broker failing to start", () => {
  it("closes its port and its service's client when the state folder cannot be made", async () => {
    const broker = new EmbeddedShadowBroker({ port: 0, stateDir: "/proc/roadrig-no-such/state" });
    await expect(broker.start()).rejects.toThrow(/cannot create directory/);
    const socket = connect(Number(new URL(broker.url).port), "127.0.0.1");
    const [error] = await once(socket, "error") as [NodeJS.ErrnoException];
    expect(error.code).toBe("ECONNREFUSED");
    expect(broker.health().ok).toBe(false);
  });
});
