import type { Component, ComponentHealth } from "../Component.js";
import type { MqttLink } from "./MqttLink.js";

/** The MQTT connection as one part of the agent; started, it connects in the background. */
export class MqttLinkComponent implements Component {
  readonly name = "mqtt";
  #lastDisconnect: string | null = null;

  constructor(readonly link: MqttLink) {
    link.on("disconnect", (reason) => (this.#lastDisconnect = reason));
  }

  start(): Promise<void> {
    return this.link.start();
  }

  stop(): Promise<void> {
    return this.link.stop();
  }

  health(): ComponentHealth {
    return {
      ok: this.link.connected,
      details: { connected: this.link.connected, lastDisconnect: this.#lastDisconnect },
    };
  }
}
