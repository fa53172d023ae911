import { request } from "node:http";
import { connectAsync } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { EmbeddedShadowBroker } from "../../../agent/embedded/EmbeddedShadowBroker.js";
import type { JsonValue } from "../../../agent/shadow/JsonValue.js";
import { pageSettings } from "../../../agent/web/PageSettings.js";
import { VehiclePageServer } from "../../../agent/web/VehiclePageServer.js";
import { sampleBodyMap } from "../../../config/sampleBodyMap.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so that Host and Origin can be what a browser elsewhere would send. */
function http(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers: options.headers ?? {} },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
    req.on("error", reject);
    req.end(options.body);
  });
}

function upgradeStatus(url: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, "mqtt", origin === undefined ? {} : { origin });
    ws.once("open", () => {
      ws.terminate();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once("error", reject);
  });
}

describe("VehiclePageServer with the embedded broker", () => {
  const changes: [string, JsonValue][] = [];
  const vehicle = { speed: 0, maxSpeed: 300, respond: true, sendStatus: () => undefined,
    set: (field: string, value: JsonValue) => void changes.push([field, value]) };
  let broker: EmbeddedShadowBroker;
  let server: VehiclePageServer;
  let base: string;

  beforeAll(async () => {
    broker = new EmbeddedShadowBroker({ port: 0 });
    await broker.start();
    server = new VehiclePageServer({ host: "127.0.0.1", port: 0,
      settings: pageSettings({ thing: "car-7", body: sampleBodyMap, simulator: true }) });
    server.attach({ broker, simulator: { vehicle, map: sampleBodyMap } });
    await server.start();
    base = server.url;
  });

  afterAll(async () => {
    await server?.stop();
    await broker?.stop();
  });

  it("serves the page with a policy that keeps its scripts its own", async () => {
    const page = await http(base);
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.body).toContain('<script type="module" src="page/vehiclePage.js">');
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
    const bundle = await http(`${base}vendor/mqtt.esm.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.body).toContain("export default");
  });

  it("gives the page its shadow and the body map's fields", async () => {
    const settings = JSON.parse((await http(`${base}settings.json`)).body) as unknown;
    expect(settings).toMatchObject({ thing: "car-7", maxSpeed: 3, simulator: true, fields: {
      door: { kind: "enum", values: ["open", "closed"], opening: ["open"] },
      windowFL: { kind: "position", min: 0, max: 100 } } });
    expect(settings).not.toHaveProperty("brokerUrl");
  });

  it("serves only the page's own files", async () => {
    for (const path of ["page/..%2f..%2fpackage.json", "page/x.ts", "package.json", "page/"]) {
      expect((await http(`${base}${path}`)).status, path).toBe(404);
    }
  });

  it("refuses a host name other than loopback's (DNS rebinding) and another site's origin",
    async () => {
      const port = new URL(base).port;
      expect((await http(base, { headers: { host: `attacker.example:${port}` } })).status)
        .toBe(403);
      expect((await http(base, { headers: { host: `localhost:${port}` } })).status).toBe(200);
      expect((await http(`${base}settings.json`, {
        headers: { origin: "http://attacker.example" } })).status).toBe(403);
    });

  it("carries MQTT over a WebSocket at /mqtt to the shadow service", async () => {
    const client = await connectAsync(`${base.replace("http:", "ws:")}mqtt`,
      { reconnectPeriod: 0 });
    try {
      const topic = "$aws/things/car-7/shadow/get";
      await client.subscribeAsync(`${topic}/rejected`, { qos: 1 });
      const answer = new Promise<string>((resolve) =>
        client.once("message", (_t, payload) => resolve(payload.toString())));
      await client.publishAsync(topic, JSON.stringify({ clientToken: "t1" }), { qos: 1 });
      expect(JSON.parse(await answer)).toMatchObject({ code: 404, clientToken: "t1" });
      expect(server.health().details.websockets).toBe(1);
    } finally {
      await client.endAsync();
    }
  });

  it("refuses a WebSocket another site's page opens, and upgrades elsewhere", async () => {
    const ws = `${base.replace("http:", "ws:")}mqtt`;
    expect(await upgradeStatus(ws, "http://attacker.example")).toBe(403);
    expect(await upgradeStatus(ws, base.slice(0, -1))).toBe(101);
    expect(await upgradeStatus(`${base.replace("http:", "ws:")}other`)).toBe(404);
  });

  it("changes the simulated vehicle on POST /sim with JSON, and only so", async () => {
    const post = (body: string, type = "application/json") => http(`${base}sim`,
      { method: "POST", headers: { "content-type": type }, body });
    expect((await post('{"door":"closed"}', "text/plain")).status).toBe(415);
    expect((await http(`${base}sim`)).status).toBe(405);
    expect((await post("{door")).status).toBe(400);
    expect((await post(`{"door":"${"x".repeat(5000)}"}`)).status).toBe(413);
    const bad = await post('{"door":"wide"}');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ problems: [
      'door: expected "closed" or "open" or "ajar" or "error", found "wide"'] });
    expect((await post('{"door":"ajar","speed":20}')).status).toBe(204);
    expect(changes).toEqual([["door", "ajar"]]);
    expect(vehicle.speed).toBe(20);
  });
});

describe("VehiclePageServer on a taken port", () => {
  it("fails to start when configured, and gives way when optional", async () => {
    const first = new VehiclePageServer({ host: "127.0.0.1", port: 0,
      settings: pageSettings({ thing: "t", body: sampleBodyMap, simulator: false }) });
    await first.start();
    const port = Number(new URL(first.url).port);
    try {
      const settings = pageSettings({ thing: "t", body: sampleBodyMap, simulator: false });
      const strict = new VehiclePageServer({ host: "127.0.0.1", port, settings });
      await expect(strict.start()).rejects.toThrow(/EADDRINUSE/);
      const optional = new VehiclePageServer({ host: "127.0.0.1", port, settings,
        optional: true });
      const unavailable = new Promise<Error>((resolve) => optional.once("unavailable", resolve));
      await optional.start();
      expect((await unavailable).message).toMatch(/EADDRINUSE/);
      expect(optional.health()).toEqual({ ok: true, details: { url: null, websockets: 0 } });
      await optional.stop();
      const answer = await http(`${first.url}sim`, { method: "POST",
        headers: { "content-type": "application/json" }, body: "{}" });
      expect(answer.status).toBe(404);
    } finally {
      await first.stop();
    }
  });
});
