import type { CanBus } from "../../../drivers/can/CanBus.js";
import type { Component, ComponentHealth } from "../../Component.js";
import type { SimulatedBodyEcu } from "./SimulatedBodyEcu.js";

/** The simulated body ECU and its bus endpoint as one part of the agent. */
export class SimulatedEcuComponent implements Component {
  readonly name = "simulated-ecu";

  constructor(
    readonly ecu: SimulatedBodyEcu,
    private readonly bus: CanBus,
  ) {}

  start(): Promise<void> {
    this.ecu.start();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.ecu.stop();
    await this.bus.close();
  }

  health(): ComponentHealth {
    return { ok: true, details: { bus: this.bus.name, responding: this.ecu.respond } };
  }
}
