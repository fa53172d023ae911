/** How a component is doing, for the agent's health report. */
export interface ComponentHealth {
  readonly ok: boolean;
  /** Short facts worth showing: connected, versions, counts, the last error. */
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * One part of the running agent (broker, body ECU, shadow sync, telemetry pipeline). The agent
 * starts components in order and stops them in reverse order.
 */
export interface Component {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): ComponentHealth;
}
