import { readFile } from "node:fs/promises";
import { connectAsync } from "mqtt";
import type { MqttClient } from "mqtt";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { Agent } from "../../../agent/Agent.js";
import { createAgent } from "../../../agent/createAgent.js";
import { openCanBus } from "../../../agent/body/openCanBus.js";
import { SimulatedBodyEcu } from "../../../agent/body/sim/SimulatedBodyEcu.js";
import { MemoryShadowStore } from "../../../agent/shadow/service/MemoryShadowStore.js";
import { ShadowService } from "../../../agent/shadow/service/ShadowService.js";
import { vehiclePageFor } from "../../../agent/web/vehiclePageFor.js";
import type { VehiclePage } from "../../../agent/web/vehiclePageFor.js";
import type { AgentConfig } from "../../../config/AgentConfig.js";
import { defaultAgentConfig } from "../../../config/defaultAgentConfig.js";
import { parseDbc } from "../../../drivers/dbc/parseDbc.js";
import { buildCli } from "../../cli/cliHarness.js";
import { screenshot, VehiclePageBrowser } from "./support/VehiclePageBrowser.js";
import { WebSocketMosquitto } from "./support/WebSocketMosquitto.js";

describe("the vehicle page on Mosquitto's WebSocket listener (web.brokerUrl)", () => {
  let broker: WebSocketMosquitto;
  let serviceClient: MqttClient;
  let service: ShadowService;
  let agent: Agent;
  let ecu: SimulatedBodyEcu;
  let vehiclePage: VehiclePage;
  let browser: VehiclePageBrowser;
  let page: Page;

  beforeAll(async () => {
    // The page's scripts are compiled into dist/ by the build.
    buildCli();
    [broker, browser] = await Promise.all([WebSocketMosquitto.start(),
      VehiclePageBrowser.launch()]);
    serviceClient = await connectAsync(broker.tcpUrl, { clientId: "shadow-service" });
    service = new ShadowService({ client: serviceClient, store: new MemoryShadowStore() });
    await service.start();

    const sample = defaultAgentConfig();
    const { embedded: _embedded, ...withoutEmbedded } = sample;
    const config: AgentConfig = { ...withoutEmbedded,
      mqtt: { transport: "mqtt", url: broker.tcpUrl },
      can: { bus: "virtual:vehicle-page-mosquitto", channel: "can1" },
      web: { host: "127.0.0.1", port: 0, brokerUrl: broker.wsUrl } };
    const dbc = parseDbc(await readFile(config.dbc), { file: config.dbc });
    ecu = new SimulatedBodyEcu({ bus: openCanBus(config.can.bus, "simulated-ecu"), dbc,
      map: config.body, channel: config.can.channel });
    vehiclePage = vehiclePageFor(config)!;
    const parts = await createAgent(config, [vehiclePage.server]);
    vehiclePage.attach(parts);
    agent = parts.agent;
    await agent.start();
    ecu.start();
    page = await browser.open(vehiclePage.server.url);
  });

  afterAll(async () => {
    await browser?.close();
    ecu?.stop();
    await agent?.stop();
    await service?.stop();
    await serviceClient?.endAsync();
    await broker?.stop();
  });

  it("connects to the broker's WebSocket listener, not to the agent's port", async () => {
    expect(await page.locator("#connection").textContent())
      .toBe(`Connected to ${broker.wsUrl}`);
    const url = new URL("mqtt", vehiclePage.server.url.replace("http:", "ws:"));
    expect(await upgradeStatus(url.href)).toBe(404);
  });

  it("opens the door on a click and follows a change on the vehicle side", async () => {
    await page.locator("#door-reported").filter({ hasText: "closed" }).waitFor();
    await page.getByRole("group", { name: "Door, front left" })
      .getByRole("button", { name: "open", exact: true }).click();
    await page.locator("#part-door[data-state='open'][data-pending='false']").waitFor();
    await screenshot(page, "mosquitto-door-open");

    ecu.set("door", "closed");
    await page.locator("#part-door[data-state='closed']").waitFor();
    await screenshot(page, "mosquitto-door-closed-on-the-vehicle");
  });
});

/** The HTTP status a WebSocket upgrade is answered with (101 when it opens). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, "mqtt");
    ws.once("open", () => {
      ws.terminate();
      resolve(101);
    });
    ws.once("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once("error", reject);
  });
}
