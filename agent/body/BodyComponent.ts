import type { CanBus } from "../../drivers/can/CanBus.js";
import type { Component, ComponentHealth } from "../Component.js";
import type { BodyController } from "./BodyController.js";

/** The body controller and its CAN bus as one part of the agent. */
export class BodyComponent implements Component {
  readonly name = "body";

  constructor(
    readonly controller: BodyController,
    private readonly bus: CanBus,
  ) {}

  start(): Promise<void> {
    this.controller.start();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.controller.stop();
    await this.bus.close();
  }

  health(): ComponentHealth {
    return { ok: true, details: { bus: this.bus.name, waiting: this.controller.waiting } };
  }
}
