import { connectAsync, type MqttClient } from "mqtt";
import { readFileSync } from "node:fs";
import { SimulatedBodyEcu } from "../../../../agent/body/sim/SimulatedBodyEcu.js";
import { createAgent, type AgentParts } from "../../../../agent/createAgent.js";
import { MemoryShadowStore } from "../../../../agent/shadow/service/MemoryShadowStore.js";
import { ShadowService } from "../../../../agent/shadow/service/ShadowService.js";
import type { AgentConfig } from "../../../../config/AgentConfig.js";
import { defaultAgentConfig } from "../../../../config/defaultAgentConfig.js";
import { VirtualBus } from "../../../../drivers/can/virtual/VirtualBus.js";
import type { CanBus } from "../../../../drivers/can/CanBus.js";
import { parseDbc } from "../../../../drivers/dbc/parseDbc.js";

let rigs = 0;

/**
 * An agent's parts (not started) on a virtual bus with a simulated body ECU, and roadrig's local
 * shadow service on the test's broker, for the service layer to run.
 */
export class ServiceRig {
  private constructor(
    readonly parts: AgentParts,
    readonly config: AgentConfig,
    private readonly ecu: SimulatedBodyEcu,
    private readonly ecuBus: CanBus,
    private readonly shadow: ShadowService,
    private readonly shadowClient: MqttClient,
  ) {}

  static async create(url: string): Promise<ServiceRig> {
    const bus = `service-rig-${process.pid}-${rigs++}`;
    const { embedded: _, ...base } = defaultAgentConfig();
    const config: AgentConfig = {
      ...base,
      thing: `car-service-${rigs}`,
      mqtt: { transport: "mqtt", url },
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
      requestTimeoutMs: 2000,
      can: { bus: `virtual:${bus}`, channel: "can1" },
    };
    // Reconnecting (and resubscribing) like the agent, so that the shadow answers again once
    // the test's broker is back.
    const shadowClient = await connectAsync(url, { reconnectPeriod: 50 });
    shadowClient.on("error", () => undefined);
    const shadow = new ShadowService({ client: shadowClient, store: new MemoryShadowStore() });
    await shadow.start();
    const dbc = parseDbc(readFileSync(config.dbc), { file: config.dbc });
    const ecuBus = VirtualBus.endpoint(bus, "ecu");
    const ecu = new SimulatedBodyEcu({ bus: ecuBus, dbc, map: config.body, channel: "can1" });
    const parts = await createAgent(config);
    ecu.start();
    return new ServiceRig(parts, config, ecu, ecuBus, shadow, shadowClient);
  }

  async stop(): Promise<void> {
    this.ecu.stop();
    await this.ecuBus.close();
    await this.shadow.stop().catch(() => undefined);
    this.shadowClient.end(true);
  }
}
