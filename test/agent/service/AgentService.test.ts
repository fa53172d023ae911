import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { once } from "node:events";
import { AgentService } from "../../../agent/service/AgentService.js";
import { SystemdNotifier } from "../../../agent/service/SystemdNotifier.js";
import { UnixDgramNotifySocket } from "../../../agent/service/UnixDgramNotifySocket.js";
import { NotifyReceiver } from "./support/NotifyReceiver.js";
import { RestartableMosquitto } from "./support/RestartableMosquitto.js";
import { ServiceRig } from "./support/ServiceRig.js";

const WATCHDOG = "WATCHDOG=1";

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

/**
 * One agent run under the service layer against a real mosquitto that the test stops and
 * starts again: the notify messages systemd would get, in order, and the health endpoints.
 */
describe("AgentService against a broker going down and up", () => {
  let broker: RestartableMosquitto;
  let rig: ServiceRig;
  let receiver: NotifyReceiver;
  let service: AgentService;
  let health: string;

  beforeAll(async () => {
    broker = await RestartableMosquitto.start();
    rig = await ServiceRig.create(broker.url);
    receiver = NotifyReceiver.bind();
    service = new AgentService({
      parts: rig.parts,
      broker: broker.url,
      notifier: new SystemdNotifier(new UnixDgramNotifySocket(receiver.path)),
      watchdogIntervalMs: 40,
      // The rig's backoff tops out at 200 ms: a loop quiet for 5 s is stuck.
      reconnectStallMs: 5000,
      health: { host: "127.0.0.1", port: 0 },
    });
    const ready = once(service, "ready");
    await service.start();
    await ready;
    health = service.healthUrl!;
  });

  afterAll(async () => {
    // The broker goes whatever else fails, so that no mosquitto outlives the test.
    try {
      await service?.shutdown();
      await rig?.stop();
    } finally {
      await broker?.stop();
      receiver?.close();
    }
  });

  it("sends READY=1 with its status first, once connected and the shadow read", async () => {
    await receiver.next((m) => m.startsWith("READY=1"));
    const ready = receiver.messages.findIndex((m) => m.startsWith("READY=1"));
    expect(receiver.messages[ready]).toMatch(
      new RegExp(`^READY=1\nSTATUS=connected to ${broker.url}, shadow at version \\d+$`));
    // Pings may come before READY=1 (systemd's watchdog runs during start-up), nothing else.
    expect(receiver.messages.slice(0, ready).filter((m) => m !== WATCHDOG)).toEqual([]);
    await receiver.next((m) => m === WATCHDOG);
  });

  it("answers /healthz, /readyz and /metrics while connected", async () => {
    expect(await get(`${health}/healthz`)).toEqual({ status: 200, body: '{"status":"ok"}\n' });
    expect(await get(`${health}/readyz`)).toEqual({ status: 200, body: '{"status":"ok"}\n' });
    const metrics = await get(`${health}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain("\nroadrig_mqtt_connected 1\n");
    expect(metrics.body).toMatch(/\nroadrig_shadow_syncs_total [1-9]\d*\n/);
    expect(metrics.body).toContain("# TYPE roadrig_shadow_outcomes_total counter\n");
    expect((await get(`${health}/nope`)).status).toBe(404);
  });

  it("keeps pinging WATCHDOG=1 while it retries, and answers 503 on /readyz, broker down",
    async () => {
      const disconnected = once(service, "status");
      await broker.down();
      const [status] = (await disconnected) as [string];
      expect(status).toMatch(/^broker disconnected \(.+\), reconnecting$/);
      await receiver.next((m) => m === `STATUS=${status}`);
      const from = receiver.messages.indexOf(`STATUS=${status}`);
      // Failed attempts of the reconnect loop, then pings after them: a restart would not help.
      for (let attempt = 0; attempt < 2; attempt++) await once(rig.parts.link, "disconnect");
      await receiver.next((m) => m === WATCHDOG, receiver.messages.length);
      expect(receiver.messages.slice(from)).toContain(WATCHDOG);

      const ready = await get(`${health}/readyz`);
      expect(ready.status).toBe(503);
      const body = JSON.parse(ready.body) as { status: string; reasons: string[] };
      expect(body.status).toBe("failing");
      expect(body.reasons.some((r) => r.startsWith("mqtt: disconnected"))).toBe(true);
      expect((await get(`${health}/healthz`)).status).toBe(200);
      expect((await get(`${health}/metrics`)).body).toContain("\nroadrig_mqtt_connected 0\n");
    });

  it("pings again and answers 200 on /readyz once the broker is back", async () => {
    const reconnected = new Promise<void>((resolve) => rig.parts.link.once("connect", () =>
      resolve()));
    // The shadow read again after the reconnect: no request is left in flight for the shutdown.
    const resynced = once(rig.parts.sync, "synced");
    const from = receiver.messages.length;
    await broker.up();
    await reconnected;
    await resynced;
    await receiver.next((m) => m === WATCHDOG, from);
    expect(await get(`${health}/readyz`)).toEqual({ status: 200, body: '{"status":"ok"}\n' });
    expect((await get(`${health}/metrics`)).body).toMatch(/\nroadrig_mqtt_disconnects_total [1-9]\d*\n/);
  });

  it("sends RELOADING=1 with MONOTONIC_USEC, then READY=1, around a reload", async () => {
    const from = receiver.messages.length;
    const before = process.hrtime.bigint() / 1000n;
    await service.reload(() => Promise.resolve(2), (n) => `reloaded ${n}`);
    await receiver.next((m) => m === "READY=1\nSTATUS=reloaded 2", from);
    const after = process.hrtime.bigint() / 1000n;
    const reload = receiver.messages.slice(from).filter((m) => m !== WATCHDOG);
    expect(reload).toHaveLength(2);
    const match = /^RELOADING=1\nMONOTONIC_USEC=(\d+)\nSTATUS=reloading configuration$/
      .exec(reload[0]!);
    expect(match).not.toBeNull();
    const usec = BigInt(match![1]!);
    expect(usec >= before && usec <= after).toBe(true);
    expect(reload[1]).toBe("READY=1\nSTATUS=reloaded 2");
  });

  it("sends STOPPING=1 last on shutdown, and stops serving", async () => {
    const result = await service.shutdown();
    expect(result.clean).toBe(true);
    const stopping = "STOPPING=1\nSTATUS=finishing shadow reports, closing spool";
    await receiver.next((m) => m === stopping);
    expect(receiver.messages.at(-1)).toBe(stopping);
    await expect(fetch(`${health}/healthz`)).rejects.toThrow();
  });
});

/**
 * A vehicle that starts out of coverage: the broker is down when the agent starts. systemd must
 * get READY=1 after the bounded wait, and pings while the link retries, so that it does not
 * restart an agent that is doing its job offline.
 */
describe("AgentService starting with its broker down", () => {
  let broker: RestartableMosquitto;
  let rig: ServiceRig;
  let receiver: NotifyReceiver;
  let service: AgentService;

  beforeAll(async () => {
    broker = await RestartableMosquitto.start();
    rig = await ServiceRig.create(broker.url);
    await broker.down();
    receiver = NotifyReceiver.bind();
    service = new AgentService({
      parts: rig.parts,
      broker: broker.url,
      notifier: new SystemdNotifier(new UnixDgramNotifySocket(receiver.path)),
      watchdogIntervalMs: 40,
      reconnectStallMs: 5000,
      readyTimeoutMs: 300,
      health: { host: "127.0.0.1", port: 0 },
    });
  });

  afterAll(async () => {
    try {
      await service?.shutdown();
      await rig?.stop();
    } finally {
      await broker?.stop();
      receiver?.close();
    }
  });

  it("sends READY=1 saying it is offline after readyTimeoutMs, not ready on /readyz", async () => {
    const began = Date.now();
    const ready = once(service, "ready");
    await service.start();
    const [status] = (await ready) as [string];
    expect(Date.now() - began).toBeGreaterThanOrEqual(300);
    expect(status).toBe("offline: broker unreachable");
    await receiver.next((m) => m === "READY=1\nSTATUS=offline: broker unreachable");
    expect(rig.parts.link.connected).toBe(false);
    const readyz = await get(`${service.healthUrl!}/readyz`);
    expect(readyz.status).toBe(503);
    const reasons = (JSON.parse(readyz.body) as { reasons: string[] }).reasons;
    expect(reasons).toContain("shadow: not read yet");
    expect(reasons.some((r) => r.startsWith("mqtt: disconnected"))).toBe(true);
  });

  it("pings WATCHDOG=1 while its reconnect loop runs against the absent broker", async () => {
    const from = receiver.messages.length;
    await once(rig.parts.link, "disconnect");
    await receiver.next((m) => m === WATCHDOG, from);
    expect(rig.parts.link.connected).toBe(false);
  });

  it("becomes ready on /readyz, with a connected STATUS, once the broker comes up", async () => {
    const resynced = once(rig.parts.sync, "synced");
    await broker.up();
    await resynced;
    await receiver.next((m) => m === `STATUS=connected to ${broker.url}`);
    expect(await get(`${service.healthUrl!}/readyz`))
      .toEqual({ status: 200, body: '{"status":"ok"}\n' });
    expect(receiver.messages.filter((m) => m.startsWith("READY=1"))).toHaveLength(1);
  });
});
