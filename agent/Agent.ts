import type { Component, ComponentHealth } from "./Component.js";

/**
 * The running agent: its components, started in order and stopped in reverse order. A component
 * that fails to start stops those already started.
 */
export class Agent {
  readonly #started: Component[] = [];

  constructor(readonly components: readonly Component[]) {}

  async start(): Promise<void> {
    for (const component of this.components) {
      try {
        await component.start();
      } catch (error) {
        await this.stop();
        throw error;
      }
      this.#started.push(component);
    }
  }

  /** `onStopping` hears each component as its stop begins (a shutdown names what it cut short). */
  async stop(onStopping?: (component: Component) => void): Promise<void> {
    for (let component = this.#started.pop(); component; component = this.#started.pop()) {
      onStopping?.(component);
      await component.stop();
    }
  }

  health(): Record<string, ComponentHealth> {
    return Object.fromEntries(this.components.map((c) => [c.name, c.health()]));
  }
}
