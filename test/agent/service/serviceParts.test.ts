import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import type { MqttLinkEvents } from "../../../agent/mqtt/MqttLink.js";
import type { MqttLink } from "../../../agent/mqtt/MqttLink.js";
import { AgentProbe } from "../../../agent/service/AgentProbe.js";
import { changedKeys } from "../../../agent/service/changedKeys.js";
import { EventLoopLag } from "../../../agent/service/EventLoopLag.js";
import { watchdogIntervalMs } from "../../../agent/service/watchdogIntervalMs.js";

describe("watchdogIntervalMs", () => {
  it("pings at half of WATCHDOG_USEC", () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "30000000" }, 7)).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "7" }, 7)).toBe(15_000);
  });

  it("does not ping for another process, or without a valid timeout", () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "8" }, 7)).toBeUndefined();
    expect(watchdogIntervalMs({}, 7)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "0" }, 7)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "soon" }, 7)).toBeUndefined();
  });
});

describe("changedKeys", () => {
  it("names changed leaves by dotted path, lists compared whole", () => {
    const before = { thing: "a", mqtt: { url: "mqtt://x", clientId: "c" }, buses: ["can0"] };
    const after = { thing: "a", mqtt: { url: "mqtt://y" }, buses: ["can0", "can1"], logLevel: "debug" };
    expect(changedKeys(before, after)).toEqual(["buses", "logLevel", "mqtt.clientId", "mqtt.url"]);
    expect(changedKeys(before, structuredClone(before))).toEqual([]);
  });
});

describe("EventLoopLag", () => {
  it("counts a tick that is overdue now as lag", () => {
    let now = 0n;
    const lag = new EventLoopLag(100, () => now);
    lag.start();
    now = 350n * 1_000_000n;
    expect(lag.lagMs).toBe(250);
    lag.stop();
    expect(lag.lagMs).toBe(0);
  });
});

class FakeLink extends EventEmitter<MqttLinkEvents> {
  connected = false;
}

describe("AgentProbe", () => {
  function probe(now: { ms: number }, link: FakeLink, buses: string[] = []) {
    const lag = { lagMs: 0 } as EventLoopLag;
    return new AgentProbe({ link: link as unknown as MqttLink, lag, buses: () => buses,
      reconnectGraceMs: 1000, now: () => now.ms });
  }

  it("keeps the watchdog fed through a short outage, and stops feeding it after the grace", () => {
    const now = { ms: 0 };
    const link = new FakeLink();
    const p = probe(now, link);
    link.connected = true;
    link.emit("connect", false);
    p.markSynced();
    expect(p.ready()).toEqual({ ok: true, reasons: [] });

    now.ms = 5000;
    link.connected = false;
    link.emit("disconnect", "connection reset");
    now.ms = 5999;
    expect(p.watchdog().ok).toBe(true);
    expect(p.ready()).toEqual({ ok: false, reasons: ["mqtt: disconnected (connection reset)"] });
    now.ms = 6000;
    expect(p.watchdog()).toEqual({ ok: false,
      reasons: ["mqtt: disconnected for 1000 ms (connection reset)"] });
  });

  it("is not ready before the shadow was read, nor with buses closed", () => {
    const link = new FakeLink();
    link.connected = true;
    const p = probe({ ms: 0 }, link, ["can: buses not open"]);
    expect(p.ready().reasons).toEqual(["can: buses not open", "shadow: not read yet"]);
    expect(p.watchdog().reasons).toEqual(["can: buses not open"]);
  });

  it("is not ready while a CAN interface is down, and starves the watchdog after the grace",
    () => {
      const now = { ms: 0 };
      const link = new FakeLink();
      link.connected = true;
      const p = probe(now, link);
      p.markSynced();
      p.busState("can0", false);
      now.ms = 999;
      expect(p.ready().reasons).toEqual(["can: can0 down"]);
      expect(p.watchdog().ok).toBe(true);
      now.ms = 1000;
      expect(p.watchdog().reasons).toEqual(["can: can0 down for 1000 ms"]);
      p.busState("can0", true);
      expect(p.ready().ok && p.watchdog().ok).toBe(true);
    });
});
