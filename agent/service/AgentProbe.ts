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
  /** How long a lost broker connection (or a CAN interface down) may take to come back before
   * the watchdog stops. */
  readonly reconnectGraceMs?: number;
  readonly now?: () => number;
}

/**
 * The agent's three health questions. Live: the process runs and its event loop keeps up.
 * Ready: live, the broker connected, the buses open and the shadow read once. Watchdog: live,
 * the buses open, and the broker connected (and each CAN interface up) or lost for less than
 * the grace period, so that a short outage does not cost a restart while a wedged one does.
 */
export class AgentProbe {
  readonly #options: AgentProbeOptions;
  readonly #now: () => number;
  #downSince: number;
  #lastDisconnect = "not connected yet";
  #synced = false;
  readonly #busDown = new Map<string, number>();

  constructor(options: AgentProbeOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#downSince = this.#now();
    options.link.on("connect", () => (this.#lastDisconnect = ""));
    options.link.on("disconnect", (reason) => {
      this.#downSince = this.#now();
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
    else if (!this.#busDown.has(iface)) this.#busDown.set(iface, this.#now());
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
    for (const iface of this.#busDown.keys()) reasons.push(`can: ${iface} down`);
    return verdict(reasons);
  }

  watchdog(): HealthVerdict {
    const reasons = [...this.live().reasons, ...this.#options.buses()];
    const grace = this.#options.reconnectGraceMs ?? 120_000;
    const now = this.#now();
    const down = now - this.#downSince;
    if (!this.#options.link.connected && down >= grace) {
      reasons.push(`mqtt: disconnected for ${down} ms (${this.#lastDisconnect})`);
    }
    // A bus asleep for a while (ignition off) is worth a restart as little as a short outage.
    for (const [iface, since] of this.#busDown) {
      if (now - since >= grace) reasons.push(`can: ${iface} down for ${now - since} ms`);
    }
    return verdict(reasons);
  }
}
