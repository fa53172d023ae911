import type { MqttLink } from "../mqtt/MqttLink.js";
import type { EventLoopLag } from "./EventLoopLag.js";
import { verdict, type HealthVerdict } from "./HealthVerdict.js";

export interface AgentProbeOptions {
  readonly link: MqttLink;
  readonly lag: EventLoopLag;
  /** Why the CAN buses (and the pipeline reading them) are not open; empty when they are. */
  readonly buses: () => readonly string[];
  /** Event-loop lag above which the process counts as unhealthy. */
  readonly maxLagMs?: number;
  /** How long the link may go, while disconnected, without a connection attempt ending (a
   * `disconnect` or `connect` event) before its reconnect loop counts as stalled. */
  readonly reconnectStallMs?: number;
  readonly now?: () => number;
}

export const DEFAULT_RECONNECT_STALL_MS = 40_000;

/**
 * The agent's three health questions. Live: the process runs and its event loop keeps up.
 * Ready (for traffic, /readyz): live, the broker connected, the buses open, every CAN interface
 * up and the shadow read once. Watchdog (worth a restart if not): live, the buses open, and the
 * link connected or its reconnect loop still trying. A vehicle out of network coverage, or with
 * an interface down, is not helped by a restart: the link keeps retrying and SocketCAN reopens
 * the interface by itself, while telemetry spools. A restart helps only a wedged process.
 */
export class AgentProbe {
  readonly #options: AgentProbeOptions;
  readonly #now: () => number;
  #lastAttempt: number;
  #lastDisconnect = "not connected yet";
  #synced = false;
  readonly #busDown = new Set<string>();

  constructor(options: AgentProbeOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#lastAttempt = this.#now();
    // Each attempt of the reconnect loop ends in one of these: failures come as `disconnect`.
    options.link.on("connect", () => {
      this.#lastAttempt = this.#now();
      this.#lastDisconnect = "";
    });
    options.link.on("disconnect", (reason) => {
      this.#lastAttempt = this.#now();
      this.#lastDisconnect = reason;
    });
  }

  /** The shadow was read once; before that the agent is not ready. */
  markSynced(): void {
    this.#synced = true;
  }

  /** A CAN interface went down or came back (SocketCAN reopens it by itself). */
  busState(iface: string, up: boolean): void {
    if (up) this.#busDown.delete(iface);
    else this.#busDown.add(iface);
  }

  live(): HealthVerdict {
    const max = this.#options.maxLagMs ?? 1000;
    const lag = this.#options.lag.lagMs;
    return verdict(lag > max ? [`event loop: ${Math.round(lag)} ms late, over ${max} ms`] : []);
  }

  ready(): HealthVerdict {
    const reasons = [...this.live().reasons, ...this.#options.buses()];
    if (!this.#options.link.connected) reasons.push(`mqtt: disconnected (${this.#lastDisconnect})`);
    if (!this.#synced) reasons.push("shadow: not read yet");
    for (const iface of this.#busDown) reasons.push(`can: ${iface} down`);
    return verdict(reasons);
  }

  watchdog(): HealthVerdict {
    const reasons = [...this.live().reasons, ...this.#options.buses()];
    const stall = this.#options.reconnectStallMs ?? DEFAULT_RECONNECT_STALL_MS;
    const quiet = this.#now() - this.#lastAttempt;
    if (!this.#options.link.connected && quiet >= stall) {
      reasons.push(`mqtt: reconnect loop stalled, no attempt for ${quiet} ms`
        + ` (last: ${this.#lastDisconnect})`);
    }
    return verdict(reasons);
  }
}
