import { EventEmitter, once } from "node:events";
import { describe, expect, it } from "vitest";
import type { MqttLinkEvents } from "../../../agent/mqtt/MqttLink.js";
import type { MqttLink } from "../../../agent/mqtt/MqttLink.js";
import { AgentProbe } from "../../../agent/service/AgentProbe.js";
import { changedKeys } from "../../../agent/service/changedKeys.js";
import { EventLoopLag } from "../../../agent/service/EventLoopLag.js";
import { reconnectStallMs } from "../../../agent/service/reconnectStallMs.js";
import { SystemdNotifier } from "../../../agent/service/SystemdNotifier.js";
import { Watchdog } from "../../../agent/service/Watchdog.js";
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
      reconnectStallMs: 1000, now: () => now.ms });
  }

  it("keeps the watchdog fed through any outage while the reconnect loop keeps trying", () => {
    const now = { ms: 0 };
    const link = new FakeLink();
    const p = probe(now, link);
    link.connected = true;
    link.emit("connect", false);
    p.markSynced();
    expect(p.ready()).toEqual({ ok: true, reasons: [] });

    link.connected = false;
    // An hour offline, one failed attempt every 900 ms: not worth a restart, but not ready.
    for (now.ms = 0; now.ms < 3_600_000; now.ms += 900) {
      link.emit("disconnect", "connect ECONNREFUSED");
      expect(p.watchdog().ok).toBe(true);
    }
    expect(p.ready()).toEqual({ ok: false,
      reasons: ["mqtt: disconnected (connect ECONNREFUSED)"] });
  });

  it("withholds the watchdog once the disconnected link's reconnect loop goes quiet", () => {
    const now = { ms: 5000 };
    const link = new FakeLink();
    const p = probe(now, link);
    link.emit("disconnect", "connection reset");
    now.ms = 5999;
    expect(p.watchdog().ok).toBe(true);
    now.ms = 6000;
    expect(p.watchdog()).toEqual({ ok: false, reasons:
      ["mqtt: reconnect loop stalled, no attempt for 1000 ms (last: connection reset)"] });
    link.emit("disconnect", "connect ETIMEDOUT");
    expect(p.watchdog().ok).toBe(true);
    // Connected, a quiet link is the normal case.
    now.ms = 60_000;
    link.connected = true;
    expect(p.watchdog().ok).toBe(true);
  });

  it("counts a link that never reported an attempt since start as stalled", () => {
    const now = { ms: 0 };
    const p = probe(now, new FakeLink());
    now.ms = 1000;
    expect(p.watchdog().reasons).toEqual(
      ["mqtt: reconnect loop stalled, no attempt for 1000 ms (last: not connected yet)"]);
  });

  it("is not ready before the shadow was read, nor with buses closed", () => {
    const link = new FakeLink();
    link.connected = true;
    const p = probe({ ms: 0 }, link, ["can: buses not open"]);
    expect(p.ready().reasons).toEqual(["can: buses not open", "shadow: not read yet"]);
    expect(p.watchdog().reasons).toEqual(["can: buses not open"]);
  });

  it("is not ready while a CAN interface is down, yet keeps the watchdog fed (no restart)",
    () => {
      const now = { ms: 0 };
      const link = new FakeLink();
      link.connected = true;
      const p = probe(now, link);
      p.markSynced();
      p.busState("can0", false);
      now.ms = 3_600_000;
      expect(p.ready().reasons).toEqual(["can: can0 down"]);
      expect(p.watchdog()).toEqual({ ok: true, reasons: [] });
      p.busState("can0", true);
      expect(p.ready().ok).toBe(true);
    });
});

describe("reconnectStallMs", () => {
  it("allows two of the largest backoff delays and one slow attempt", () => {
    expect(reconnectStallMs({ minDelayMs: 100, maxDelayMs: 5000 })).toBe(40_000);
    expect(reconnectStallMs({ minDelayMs: 100, maxDelayMs: 60_000 })).toBe(150_000);
  });
});

describe("Watchdog on the probe, with the link's reconnect loop stuck", () => {
  it("pings while attempts come, and withholds once they stop", async () => {
    const sent: string[] = [];
    const notifier = new SystemdNotifier({ send: (m) => {
      sent.push(m);
      return Promise.resolve();
    }, close: () => undefined });
    const now = { ms: 0 };
    const link = new FakeLink();
    const p = new AgentProbe({ link: link as unknown as MqttLink, lag: { lagMs: 0 } as EventLoopLag,
      buses: () => [], reconnectStallMs: 1000, now: () => now.ms });
    // Each tick moves the clock 400 ms; attempts end on the first four ticks, then no more.
    let ticks = 0;
    const watchdog = new Watchdog(notifier, 5, () => {
      now.ms += 400;
      if (++ticks <= 4) link.emit("disconnect", "connect ECONNREFUSED");
      return p.watchdog();
    });
    const withheld = once(watchdog, "withheld");
    watchdog.start();
    const [reasons] = (await withheld) as [string[]];
    watchdog.stop();
    expect(reasons).toEqual(
      ["mqtt: reconnect loop stalled, no attempt for 1200 ms (last: connect ECONNREFUSED)"]);
    // Ticks 1-6 pinged (the last attempt at 1600 ms, quiet below 1000 ms until 2800 ms).
    expect(sent).toEqual(Array(6).fill("WATCHDOG=1"));
    expect(ticks).toBe(7);
  });
});
