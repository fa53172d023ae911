import type { MqttClient } from "mqtt";
import type { AgentConfig, MqttConfig } from "../../../config/AgentConfig.js";
import { defaultAgentConfig } from "../../../config/defaultAgentConfig.js";
import { createAgent } from "../../../agent/createAgent.js";
import type { AgentParts } from "../../../agent/createAgent.js";
import { SimulatedBodyEcu } from "../../../agent/body/sim/SimulatedBodyEcu.js";
import { VirtualBus } from "../../../drivers/can/virtual/VirtualBus.js";
import { parseDbc } from "../../../drivers/dbc/parseDbc.js";
import { readFileSync } from "node:fs";
import type { CanBus } from "../../../drivers/can/CanBus.js";
import { ShadowClient } from "../../../agent/shadow/ShadowClient.js";
import { ShadowWatcher } from "./ShadowWatcher.js";

let rigs = 0;

export interface AgentRigOptions {
  readonly mqtt: MqttConfig;
  readonly thing?: string;
  readonly shadowName?: string;
  readonly confirmTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** The app's connection (the test's side), already connected to the same broker. */
  readonly app: MqttClient;
  readonly actuationMs?: number;
}

/**
 * The agent under test on its own virtual bus with a simulated body ECU, and the app's side:
 * a ShadowClient and a watcher of the shadow's answers.
 */
export class AgentRig {
  private constructor(
    public parts: AgentParts,
    readonly ecu: SimulatedBodyEcu,
    readonly ecuBus: CanBus,
    readonly app: ShadowClient,
    readonly watcher: ShadowWatcher,
    readonly config: AgentConfig,
  ) {}

  static async start(options: AgentRigOptions): Promise<AgentRig> {
    const base = defaultAgentConfig();
    const busName = `agent-rig-${process.pid}-${rigs++}`;
    const thing = options.thing ?? `car-${rigs}`;
    const config: AgentConfig = {
      ...base,
      thing,
      ...(options.shadowName === undefined ? {} : { shadowName: options.shadowName }),
      mqtt: options.mqtt,
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
      requestTimeoutMs: options.requestTimeoutMs ?? 3000,
      confirmTimeoutMs: options.confirmTimeoutMs ?? 2000,
      can: { bus: `virtual:${busName}`, channel: "can1" },
    };
    const { embedded: _, ...withoutEmbedded } = config;
    const dbc = parseDbc(readFileSync(config.dbc), { file: config.dbc });
    const ecuBus = VirtualBus.endpoint(busName, "ecu");
    const ecu = new SimulatedBodyEcu({ bus: ecuBus, dbc, map: config.body, channel: "can1",
      actuationMs: options.actuationMs ?? 0 });
    const parts = await createAgent(withoutEmbedded);
    const watcher = new ShadowWatcher(options.app);
    const prefix = `$aws/things/${thing}/shadow` +
      (options.shadowName === undefined ? "" : `/name/${options.shadowName}`);
    await options.app.subscribeAsync(`${prefix}/update/#`, { qos: 1 });
    const app = new ShadowClient(options.app, { timeoutMs: 5000 });
    const synced = new Promise<void>((resolve) => parts.sync.once("synced", () => resolve()));
    await parts.agent.start();
    // Started once the agent listens, so that its first status (and speed) is not lost.
    ecu.start();
    await synced;
    return new AgentRig(parts, ecu, ecuBus, app, watcher, withoutEmbedded);
  }

  /** The agent stops (as a TCU powering down) and starts again with the same configuration. */
  async restartAgent(between: () => Promise<void>): Promise<void> {
    await this.parts.agent.stop();
    await between();
    this.parts = await createAgent(this.config);
    const synced = new Promise<void>((resolve) => this.parts.sync.once("synced", () => resolve()));
    await this.parts.agent.start();
    await synced;
  }

  /** Resolves with the next frame of `message` the agent sends on the bus. */
  nextCommand(): Promise<Uint8Array> {
    const id = this.commandId;
    return new Promise((resolve) => {
      const off = this.ecuBus.onFrame((frame) => {
        if (frame.id !== id) return;
        off();
        resolve(frame.data);
      });
    });
  }

  /** Counts the agent's command frames from now on. */
  countCommands(): { readonly count: number } {
    const counter = { count: 0 };
    this.ecuBus.onFrame((frame) => {
      if (frame.id === this.commandId) counter.count++;
    });
    return counter;
  }

  get commandId(): number {
    return 0x3b0;
  }

  get thing(): string {
    return this.config.thing;
  }

  /** The app sets desired values, as `roadrig shadow set` does. */
  async setDesired(desired: Record<string, unknown>): Promise<number> {
    const name = this.config.shadowName;
    const options = name === undefined ? {} : { shadowName: name };
    const accepted = await this.app.update(this.thing, {
      state: { desired: desired as never },
    }, options);
    return accepted.version;
  }

  async stop(): Promise<void> {
    this.app.close();
    await this.parts.agent.stop();
    this.ecu.stop();
    await this.ecuBus.close();
  }
}
