import { readFile } from "node:fs/promises";
import type { AgentConfig } from "../config/AgentConfig.js";
import type { CanBus } from "../drivers/can/CanBus.js";
import { parseDbc } from "../drivers/dbc/parseDbc.js";
import { Agent } from "./Agent.js";
import { BodyComponent } from "./body/BodyComponent.js";
import { BodyController } from "./body/BodyController.js";
import { openCanBus } from "./body/openCanBus.js";
import { SimulatedBodyEcu } from "./body/sim/SimulatedBodyEcu.js";
import { SimulatedEcuComponent } from "./body/sim/SimulatedEcuComponent.js";
import type { Component } from "./Component.js";
import { EmbeddedShadowBroker } from "./embedded/EmbeddedShadowBroker.js";
import { createMqttLink } from "./mqtt/createMqttLink.js";
import type { MqttLink } from "./mqtt/MqttLink.js";
import { MqttLinkComponent } from "./mqtt/MqttLinkComponent.js";
import { ShadowSync } from "./shadow/ShadowSync.js";

/** The agent and its parts, so that the program can attach its logging to their events. */
export interface AgentParts {
  readonly agent: Agent;
  readonly link: MqttLink;
  readonly body: BodyController;
  /** The body controller's CAN bus. */
  readonly bus: CanBus;
  readonly sync: ShadowSync;
  readonly broker?: EmbeddedShadowBroker;
  readonly ecu?: SimulatedBodyEcu;
}

/**
 * Builds the agent a configuration describes. More components (a telemetry pipeline) join the
 * list through `extra`, started after the shadow sync.
 */
export async function createAgent(
  config: AgentConfig,
  extra: readonly Component[] = [],
): Promise<AgentParts> {
  const dbc = parseDbc(await readFile(config.dbc), { file: config.dbc });
  const components: Component[] = [];

  let broker: EmbeddedShadowBroker | undefined;
  if (config.embedded !== undefined) {
    const { port, stateDir } = config.embedded;
    broker = new EmbeddedShadowBroker(stateDir === undefined ? { port } : { port, stateDir });
    components.push(broker);
  }

  const bus = openCanBus(config.can.bus, "agent");
  const body = new BodyController({ bus, dbc, map: config.body, channel: config.can.channel,
    confirmTimeoutMs: config.confirmTimeoutMs });
  components.push(new BodyComponent(body, bus));
  let ecu: SimulatedBodyEcu | undefined;
  if (config.embedded?.simulatedEcu === true) {
    // After the body controller, which then hears the simulated ECU's first status.
    const ecuBus = openCanBus(config.can.bus, "simulated-ecu");
    ecu = new SimulatedBodyEcu({ bus: ecuBus, dbc, map: config.body, channel: config.can.channel });
    components.push(new SimulatedEcuComponent(ecu, ecuBus));
  }
  const link = createMqttLink(config);
  const address = config.shadowName === undefined
    ? { thing: config.thing }
    : { thing: config.thing, shadowName: config.shadowName };
  const sync = new ShadowSync({ link, address, body, requestTimeoutMs: config.requestTimeoutMs });
  // Stopped in reverse: the sync finishes its reports before the link goes down.
  components.push(new MqttLinkComponent(link), sync, ...extra);

  const agent = new Agent(components);
  return {
    agent, link, body, bus, sync,
    ...(broker === undefined ? {} : { broker }),
    ...(ecu === undefined ? {} : { ecu }),
  };
}
