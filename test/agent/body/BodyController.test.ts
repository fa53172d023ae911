import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BodyController } from "../../../agent/body/BodyController.js";
import { SimulatedBodyEcu } from "../../../agent/body/sim/SimulatedBodyEcu.js";
import type { CanBus } from "../../../drivers/can/CanBus.js";
import { VirtualBus } from "../../../drivers/can/virtual/VirtualBus.js";
import { parseDbc } from "../../../drivers/dbc/parseDbc.js";
import { defaultAgentConfig } from "../../../config/defaultAgentConfig.js";
import { sampleBodyMap } from "../../../config/sampleBodyMap.js";

const dbcFile = defaultAgentConfig().dbc;
const dbc = parseDbc(readFileSync(dbcFile), { file: dbcFile });
let buses = 0;

describe("BodyController on the sample vehicle", () => {
  let agentBus: CanBus;
  let ecuBus: CanBus;
  let body: BodyController;
  let ecu: SimulatedBodyEcu;
  let spy: CanBus;
  const sent: Record<string, number | bigint>[] = [];

  beforeEach(() => {
    const name = `body-test-${buses++}`;
    agentBus = VirtualBus.endpoint(name, "agent");
    ecuBus = VirtualBus.endpoint(name, "ecu");
    spy = VirtualBus.endpoint(name, "spy");
    sent.length = 0;
    spy.onFrame((frame) => {
      if (frame.id === 0x3b0) sent.push(dbc.decodeValues(frame)!);
    });
    body = new BodyController({ bus: agentBus, dbc, map: sampleBodyMap, confirmTimeoutMs: 200,
      channel: "can1" });
    ecu = new SimulatedBodyEcu({ bus: ecuBus, dbc, map: sampleBodyMap, periodMs: 0 });
    body.start();
    ecu.start();
  });

  afterEach(async () => {
    body.stop();
    ecu.stop();
    await Promise.all([agentBus.close(), ecuBus.close(), spy.close()]);
  });

  it("reads every field from the body ECU's status", () => {
    expect(body.snapshot()).toEqual({ door: "closed", lock: "unlocked", trunk: "closed",
      windowFL: 0, windowFR: 0 });
  });

  it("sends the mapped command with every other request at 0, and resolves on the status", async () => {
    const outcome = await body.apply("door", "open");
    expect(outcome).toEqual({ field: "door", desired: "open", ok: true, reported: "open" });
    expect(sent).toEqual([{ LockRequest: 0, TrunkRequest: 0, WindowFLTarget: 0,
      WindowFLRequest: 0, WindowFRRequest: 0, DoorFLRequest: 1, WindowFRTarget: 0 }]);
  });

  it("sends a window's target with its request flag", async () => {
    const outcome = await body.apply("windowFR", 35.5);
    expect(outcome).toMatchObject({ ok: true, reported: 35.5 });
    expect(sent[0]).toMatchObject({ WindowFRTarget: 35.5, WindowFRRequest: 1, WindowFLRequest: 0 });
  });

  it("sends nothing for a value the body already shows", async () => {
    expect(await body.apply("trunk", "closed")).toMatchObject({ ok: true, reported: "closed" });
    expect(sent).toEqual([]);
  });

  it("reports a timeout with the status it saw when the ECU does not answer", async () => {
    ecu.respond = false;
    expect(await body.apply("lock", "locked")).toEqual({ field: "lock", desired: "locked",
      ok: false, code: "timeout", reported: "unlocked",
      reason: 'no confirmation from the body ECU within 200 ms (BodyStatus.Locked: "unlocked")' });
  });

  it("ends a waiting command as superseded when a newer value comes", async () => {
    ecu.respond = false;
    const first = body.apply("windowFL", 80);
    ecu.respond = true;
    const second = body.apply("windowFL", 10);
    expect(await first).toMatchObject({ ok: false, code: "superseded" });
    expect(await second).toMatchObject({ ok: true, reported: 10 });
  });

  it("refuses opening above the speed limit and with no recent speed, but allows closing", async () => {
    ecu.speed = 12.5;
    ecu.sendStatus();
    expect(await body.apply("trunk", "open")).toMatchObject({ ok: false, code: "interlock",
      reason: "vehicle speed 12.5 is above 3: opening refused" });
    ecu.set("windowFL", 50);
    expect(await body.apply("windowFL", 60)).toMatchObject({ code: "interlock" });
    expect(await body.apply("windowFL", 20)).toMatchObject({ ok: true, reported: 20 });
    expect(await body.apply("lock", "locked")).toMatchObject({ ok: true });

    let now = Date.now();
    const stale = new BodyController({ bus: spy, dbc, map: sampleBodyMap, now: () => now });
    stale.start();
    ecu.speed = 0;
    ecu.sendStatus();
    now += 1001;
    expect(await stale.apply("door", "open")).toMatchObject({ code: "interlock",
      reason: "vehicle speed unknown (no VehicleSpeed in the last 1000 ms): opening refused" });
    stale.stop();
  });

  it("emits a change seen on CAN without a command, and not the steps of its own command",
    async () => {
      const changes: unknown[] = [];
      body.on("changed", (field, value) => changes.push([field, value]));
      ecu.set("door", "ajar");
      await body.apply("windowFL", 30);
      expect(changes).toEqual([["door", "ajar"]]);
    });

  it("refuses unknown fields, wrong types and values out of range without sending", async () => {
    const outcomes = await Promise.all([body.apply("hood", "open"), body.apply("door", true),
      body.apply("windowFL", -1), body.apply("windowFR", "50"), body.apply("trunk", "ajar")]);
    expect(outcomes.map((o) => (o.ok ? "ok" : o.code))).toEqual(["unknown-field", "invalid",
      "invalid", "invalid", "invalid"]);
    expect(sent).toEqual([]);
  });
});
