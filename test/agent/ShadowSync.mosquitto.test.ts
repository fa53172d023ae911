import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import { MemoryShadowStore } from "../../agent/shadow/service/MemoryShadowStore.js";
import { ShadowService } from "../../agent/shadow/service/ShadowService.js";
import { ShadowRejectedError } from "../../agent/shadow/ShadowRejectedError.js";
import { AgentRig } from "./support/AgentRig.js";
import { reportedOf } from "./support/ShadowWatcher.js";
import { TcpRelay } from "./support/TcpRelay.js";
import { TlsMosquitto } from "./support/TlsMosquitto.js";

describe("the agent on Mosquitto over mutual TLS, through aws-iot-device-sdk-v2", () => {
  let broker: TlsMosquitto;
  let relay: TcpRelay;
  let serviceClient: MqttClient;
  let service: ShadowService;
  let appClient: MqttClient;
  let rig: AgentRig;

  beforeAll(async () => {
    broker = await TlsMosquitto.start();
    relay = await TcpRelay.start(broker.port);
    serviceClient = await broker.connect({ clientId: "shadow-service", reconnectPeriod: 20 });
    service = new ShadowService({ client: serviceClient, store: new MemoryShadowStore() });
    await service.start();
    appClient = await broker.connect({ clientId: "app", reconnectPeriod: 20 });
  });

  afterAll(async () => {
    await service?.stop();
    await Promise.all([serviceClient?.endAsync(true), appClient?.endAsync(true)]);
    await relay?.stop();
    await broker?.stop();
  });

  beforeEach(async () => {
    relay.restore();
    rig = await AgentRig.start({
      app: appClient,
      confirmTimeoutMs: 500,
      // The agent goes through the relay, so that a test can cut only its connection.
      mqtt: { transport: "iot-core", endpoint: "127.0.0.1", port: relay.port,
        cert: broker.pki.clientCert, key: broker.pki.clientKey, ca: broker.pki.ca },
    });
  });

  afterEach(async () => {
    await rig?.stop();
  });

  it("opens the door the app asked for, reports it open and clears the desired value", async () => {
    const reported = rig.watcher.reported("door", "open");
    await rig.setDesired({ door: "open" });
    const message = await reported;
    expect(rig.ecu.state("door")).toBe("open");
    expect((message.body.state as Record<string, unknown>).desired).toEqual({ door: null });
    const document = await rig.app.get(rig.thing);
    expect(Object.keys(document.state ?? {})).toEqual(["reported"]);
    expect(document.state?.reported).toMatchObject({ door: "open" });
  });

  it("moves both windows and reports each position", async () => {
    const fl = rig.watcher.reported("windowFL", 50);
    const fr = rig.watcher.reported("windowFR", 20);
    await rig.setDesired({ windowFL: 50, windowFR: 20 });
    await Promise.all([fl, fr]);
    expect([rig.ecu.state("windowFL"), rig.ecu.state("windowFR")]).toEqual([50, 20]);
  });

  it("reports a door closed by hand, and does not open it again", async () => {
    await Promise.all([rig.watcher.reported("door", "open"), rig.setDesired({ door: "open" })]);
    const commands = rig.countCommands();
    const closed = rig.watcher.reported("door", "closed");
    rig.ecu.set("door", "closed");
    await closed;
    await rig.parts.sync.idle();
    expect(commands.count).toBe(0);
    expect(rig.ecu.state("door")).toBe("closed");
  });

  it("catches up on a desired value set while its connection was down", async () => {
    const down = new Promise((resolve) => rig.parts.link.once("disconnect", resolve));
    relay.cut();
    await down;
    const reported = rig.watcher.reported("trunk", "open");
    await rig.setDesired({ trunk: "open" });
    relay.restore();
    await reported;
    expect(rig.ecu.state("trunk")).toBe("open");
  });

  it("catches up on a desired value set while the agent was stopped", async () => {
    const reported = rig.watcher.reported("lock", "unlocked");
    await rig.restartAgent(async () => {
      await rig.setDesired({ lock: "unlocked" });
    });
    await reported;
    expect(rig.ecu.state("lock")).toBe("unlocked");
  });

  it("reports an update the ECU confirmed while the broker was restarting", async () => {
    rig.ecu.respond = false;
    const command = rig.nextCommand();
    await rig.setDesired({ windowFL: 40 });
    await command;
    await broker.halt();
    rig.ecu.set("windowFL", 40);
    const reported = rig.watcher.reported("windowFL", 40);
    await broker.resume();
    await reported;
    const document = await rig.app.get(rig.thing);
    expect((document.state as Record<string, unknown>).desired).toBeUndefined();
  });

  it("ignores a duplicate and an older delta, acting once", async () => {
    const delta = rig.watcher.next((m) => m.topic.endsWith("/update/delta"));
    const reported = rig.watcher.reported("trunk", "open");
    const commands = rig.countCommands();
    await rig.setDesired({ trunk: "open" });
    const original = await delta;
    await reported;
    const stale: number[] = [];
    rig.parts.sync.on("stale", (version) => stale.push(version));
    const topic = `$aws/things/${rig.thing}/shadow/update/delta`;
    await appClient.publishAsync(topic, JSON.stringify(original.body), { qos: 1 });
    const older = { state: { trunk: "closed" }, version: (original.body.version as number) - 1 };
    await appClient.publishAsync(topic, JSON.stringify(older), { qos: 1 });
    // The app's own later update is a marker: the agent handles its messages in order.
    await Promise.all([rig.watcher.reported("lock", "locked"), rig.setDesired({ lock: "locked" })]);
    expect(stale).toEqual([original.body.version, older.version]);
    expect(commands.count).toBe(2);
    expect(rig.ecu.state("trunk")).toBe("open");
  });

  it("reports a command the ECU never confirms, with the reason", async () => {
    rig.ecu.respond = false;
    const error = rig.watcher.error("door");
    await rig.setDesired({ door: "open" });
    const reported = reportedOf(await error)!;
    expect(reported.errors).toEqual({ door: { desired: "open", code: "timeout",
      reason: "no confirmation from the body ECU within 500 ms (BodyStatus.DoorFL: \"closed\")" } });
    expect(reported.door).toBe("closed");
  });

  it("refuses opening and lowering a window above the speed limit, and says why", async () => {
    rig.ecu.speed = 50;
    rig.ecu.sendStatus();
    const commands = rig.countCommands();
    const trunk = rig.watcher.error("trunk");
    const window = rig.watcher.error("windowFL");
    await rig.setDesired({ trunk: "open", windowFL: 30 });
    const [t, w] = await Promise.all([trunk, window]);
    for (const [message, field] of [[t, "trunk"], [w, "windowFL"]] as const) {
      const errors = reportedOf(message)!.errors as Record<string, Record<string, unknown>>;
      expect(errors[field]).toMatchObject({ code: "interlock",
        reason: "vehicle speed 50 is above 3: opening refused" });
    }
    expect(commands.count).toBe(0);
    expect(rig.ecu.state("trunk")).toBe("closed");
  });

  it("refuses wrong types, unknown fields and out-of-range values and keeps running", async () => {
    const refused = ["door", "sunroof", "windowFR"].map((field) => rig.watcher.error(field));
    await rig.setDesired({ door: 5, sunroof: "open", windowFR: 150 });
    const messages = await Promise.all(refused);
    const errors: Record<string, unknown> = {};
    for (const message of messages) Object.assign(errors, reportedOf(message)!.errors);
    expect(errors).toEqual({
      door: { desired: 5, code: "invalid", reason: 'expected "open" or "closed", found 5' },
      sunroof: { desired: "open", code: "unknown-field",
        reason: "expected one of door, lock, trunk, windowFL, windowFR, found 'sunroof'" },
      windowFR: { desired: 150, code: "invalid", reason: "expected 0–100, found 150" },
    });
    const opened = rig.watcher.next((m) => m.topic.endsWith("/update/accepted") &&
      reportedOf(m)?.door === "open");
    await rig.setDesired({ door: "open" });
    const cleared = reportedOf(await opened)!.errors as Record<string, unknown>;
    expect(cleared.door).toBeNull();
  });

  it("refuses malformed, oversized and foreign messages without acting on them", async () => {
    const refused: string[] = [];
    rig.parts.sync.on("refused", (_topic, reason) => refused.push(reason));
    const commands = rig.countCommands();
    const topic = `$aws/things/${rig.thing}/shadow/update/delta`;
    await appClient.publishAsync(topic, "{not json", { qos: 1 });
    await appClient.publishAsync(topic, JSON.stringify({ state: { door: "open" } }), { qos: 1 });
    const oversized = JSON.stringify({ state: { door: "x".repeat(70_000) }, version: 1e6 });
    await appClient.publishAsync(topic, oversized, { qos: 1 });
    await appClient.publishAsync("$aws/things/another-car/shadow/update/delta",
      JSON.stringify({ state: { door: "open" }, version: 1e6 }), { qos: 1 });
    const tooBig = await rig.app.update(rig.thing, { state: { desired: {
      door: "y".repeat(9000) } } }).catch((e: unknown) => e);
    expect(tooBig).toBeInstanceOf(ShadowRejectedError);
    expect((tooBig as ShadowRejectedError).code).toBe(413);
    await Promise.all([rig.watcher.reported("lock", "locked"),
      rig.setDesired({ lock: "locked" })]);
    expect(refused[0]).toMatch(/^not JSON/);
    expect(refused.slice(1)).toEqual([
      "expected an object with a numeric version",
      `message of ${oversized.length} bytes over 65536`,
    ]);
    expect(commands.count).toBe(1);
    expect(rig.ecu.state("door")).toBe("closed");
  });
});
