import { EventEmitter } from "node:events";
import { onBusState } from "../body/onBusState.js";
import type { Component } from "../Component.js";
import type { AgentParts } from "../createAgent.js";
import type { TelemetryPipeline } from "../telemetry/TelemetryPipeline.js";
import { AgentMetrics } from "./AgentMetrics.js";
import { AgentProbe } from "./AgentProbe.js";
import { EventLoopLag } from "./EventLoopLag.js";
import { HealthServer } from "./HealthServer.js";
import type { ShutdownResult } from "./ShutdownResult.js";
import type { SystemdNotifier } from "./SystemdNotifier.js";
import { Watchdog } from "./Watchdog.js";

export interface AgentServiceOptions {
  readonly parts: AgentParts;
  readonly pipeline?: TelemetryPipeline;
  /** systemd's notify socket; none when not run by systemd. */
  readonly notifier?: SystemdNotifier;
  /** WATCHDOG=1 period; no pings when absent. */
  readonly watchdogIntervalMs?: number;
  /** `optional`: a port already taken is reported (`healthFailed`) instead of thrown. */
  readonly health?: { readonly host: string; readonly port: number; readonly optional?: boolean };
  readonly shutdownTimeoutMs?: number;
  readonly maxLagMs?: number;
  /** See AgentProbeOptions: a disconnected link quieter than this has a stuck reconnect loop. */
  readonly reconnectStallMs?: number;
  /** Once the buses are open, how long READY=1 waits for the broker and the shadow before it
   * is sent anyway (the agent works offline: it acts on CAN and spools telemetry). */
  readonly readyTimeoutMs?: number;
  /** The broker, for STATUS lines. */
  readonly broker: string;
}

export interface AgentServiceEvents {
  /** Connections up and the shadow read (or its failure reported), or the broker still out of
   * reach `readyTimeoutMs` after the buses opened: READY=1 was sent. */
  ready: [status: string];
  status: [status: string];
  withheld: [reasons: readonly string[]];
  /** A notify message could not be sent. */
  failed: [error: Error, message: string];
  /** The optional health server could not listen; the agent runs without it. */
  healthFailed: [error: Error];
  /** Each component as its stop begins. */
  stopping: [component: string];
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
export const DEFAULT_READY_TIMEOUT_MS = 30_000;

/**
 * Runs the agent as a service: tells systemd when it is ready, pings its watchdog while healthy,
 * serves health and metrics, and shuts down within a bounded time, naming what it cut short.
 */
export class AgentService extends EventEmitter<AgentServiceEvents> {
  readonly lag = new EventLoopLag();
  readonly probe: AgentProbe;
  readonly metrics: AgentMetrics;
  readonly #options: AgentServiceOptions;
  readonly #watchdog: Watchdog | undefined;
  #server: HealthServer | undefined;
  #busesOpen = false;
  #ready = false;
  #stopping: Component | undefined;
  #shutdown: Promise<ShutdownResult> | undefined;
  #forced: ((result: ShutdownResult) => void) | undefined;
  #shutdownBegan = 0;
  #offBusState: (() => void) | undefined;
  #readyTimer: NodeJS.Timeout | undefined;

  constructor(options: AgentServiceOptions) {
    super();
    this.#options = options;
    const { parts, pipeline } = options;
    this.probe = new AgentProbe({
      link: parts.link, lag: this.lag, buses: () => this.#busReasons(),
      ...(options.maxLagMs === undefined ? {} : { maxLagMs: options.maxLagMs }),
      ...(options.reconnectStallMs === undefined
        ? {} : { reconnectStallMs: options.reconnectStallMs }),
    });
    this.metrics = new AgentMetrics(parts, this.lag,
      pipeline === undefined ? undefined : () => pipeline.metrics());
    const interval = options.watchdogIntervalMs;
    if (options.notifier !== undefined && interval !== undefined) {
      this.#watchdog = new Watchdog(options.notifier, interval, () => this.probe.watchdog());
      this.#watchdog.on("withheld", (reasons) => this.emit("withheld", reasons));
      this.#watchdog.on("failed", (error) => this.emit("failed", error, "WATCHDOG=1"));
    }
  }

  get healthUrl(): string | undefined {
    return this.#server?.url;
  }

  /**
   * Starts the health server and the agent; READY=1 follows once the shadow was read, or
   * `readyTimeoutMs` after the buses opened, whichever comes first.
   */
  async start(): Promise<void> {
    this.lag.start();
    const { parts, health } = this.#options;
    parts.link.on("connect", this.#onConnect);
    parts.link.on("disconnect", this.#onDisconnect);
    parts.sync.on("synced", this.#onSynced);
    parts.sync.on("failed", this.#onSyncFailed);
    this.#offBusState = onBusState(parts.bus, (event) =>
      this.probe.busState(event.iface, event.state === "up"));
    try {
      if (health !== undefined) await this.#listen(health);
      this.#watchdog?.start();
      await parts.agent.start();
    } catch (error) {
      await this.#release();
      throw error;
    }
    this.#busesOpen = true;
    if (!this.#ready) {
      this.#readyTimer = setTimeout(() => this.#becomeReady(this.#offlineStatus()),
        this.#options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
    }
  }

  #offlineStatus(): string {
    const { parts, pipeline } = this.#options;
    if (parts.link.connected) return `connected to ${this.#options.broker}, shadow not read yet`;
    return pipeline === undefined
      ? "offline: broker unreachable"
      : "offline: spooling, broker unreachable";
  }

  async #listen(health: NonNullable<AgentServiceOptions["health"]>): Promise<void> {
    const routes = {
      live: () => this.probe.live(),
      ready: () => this.probe.ready(),
      metrics: () => this.metrics.render(),
    };
    try {
      this.#server = await HealthServer.start(routes, health.port, health.host);
    } catch (error) {
      if (health.optional !== true) throw error;
      this.emit("healthFailed", error as Error);
    }
  }

  /**
   * Stops taking deltas, lets the shadow sync finish the reports in flight, stops the telemetry
   * pipeline (closing its spool) and the link, within `shutdownTimeoutMs`. Called again, or
   * through `force()`, it does not wait any longer.
   */
  shutdown(): Promise<ShutdownResult> {
    this.#shutdown ??= this.#runShutdown();
    return this.#shutdown;
  }

  /** A second signal: the shutdown in progress ends now, as cut short. */
  force(): void {
    this.#forced?.(this.#cutShort("forced", this.#shutdownBegan));
  }

  /** RELOADING=1, the given work, then READY=1 again. */
  async reload<T>(apply: () => Promise<T>, status: (result: T) => string): Promise<T> {
    await this.#notify("RELOADING=1", (n) => n.reloading("reloading configuration"));
    try {
      const result = await apply();
      await this.#notify("READY=1", (n) => n.ready(status(result)));
      return result;
    } catch (error) {
      await this.#notify("READY=1", (n) => n.ready(`reload failed: ${(error as Error).message}`));
      throw error;
    }
  }

  async #runShutdown(): Promise<ShutdownResult> {
    const began = (this.#shutdownBegan = Date.now());
    this.#watchdog?.stop();
    clearTimeout(this.#readyTimer);
    await this.#notify("STOPPING=1", (n) => n.stopping("finishing shadow reports, closing spool"));
    this.#busesOpen = false;
    const timeoutMs = this.#options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const cut = new Promise<ShutdownResult>((resolve) => {
      this.#forced = resolve;
      timer = setTimeout(() => resolve(this.#cutShort("timeout", began)), timeoutMs);
    });
    const stopped = this.#options.parts.agent.stop((component) => {
      this.#stopping = component;
      this.emit("stopping", component.name);
    }).then((): ShutdownResult => {
      this.#stopping = undefined;
      return { clean: true, elapsedMs: Date.now() - began };
    });
    const result = await Promise.race([stopped, cut]);
    clearTimeout(timer);
    await this.#release();
    return result;
  }

  #cutShort(cause: "timeout" | "forced", began: number): ShutdownResult {
    const component = this.#stopping;
    const cutShort = component === undefined
      ? "nothing"
      : `${component.name} ${JSON.stringify(component.health().details)}`;
    return { clean: false, cause, cutShort, elapsedMs: Date.now() - began };
  }

  async #release(): Promise<void> {
    this.#watchdog?.stop();
    clearTimeout(this.#readyTimer);
    this.lag.stop();
    const { parts } = this.#options;
    parts.link.off("connect", this.#onConnect);
    parts.link.off("disconnect", this.#onDisconnect);
    parts.sync.off("synced", this.#onSynced);
    parts.sync.off("failed", this.#onSyncFailed);
    this.#offBusState?.();
    await this.#server?.close();
    this.#server = undefined;
    this.#options.notifier?.close();
  }

  #busReasons(): string[] {
    if (!this.#busesOpen) return ["can: buses not open"];
    const state = this.#options.pipeline?.health().state;
    return state === undefined || state === "running" ? [] : [`telemetry: pipeline ${state}`];
  }

  readonly #onConnect = (): void => {
    if (this.#ready) this.#setStatus(`connected to ${this.#options.broker}`);
  };

  readonly #onDisconnect = (reason: string): void => {
    this.#setStatus(`broker disconnected (${reason}), reconnecting`);
  };

  readonly #onSynced = (version: number): void => {
    this.probe.markSynced();
    this.#becomeReady(`connected to ${this.#options.broker}, shadow at version ${version}`);
  };

  readonly #onSyncFailed = (error: Error, during: string): void => {
    if (during !== "sync") return;
    this.#becomeReady(`connected to ${this.#options.broker}, shadow read failed: ${error.message}`);
  };

  #becomeReady(status: string): void {
    if (this.#ready) return;
    this.#ready = true;
    clearTimeout(this.#readyTimer);
    void this.#notify("READY=1", (n) => n.ready(status)).then(() => this.emit("ready", status));
  }

  #setStatus(status: string): void {
    this.emit("status", status);
    void this.#notify("STATUS", (n) => n.status(status));
  }

  async #notify(what: string, send: (n: SystemdNotifier) => Promise<void>): Promise<void> {
    const notifier = this.#options.notifier;
    if (notifier === undefined) return;
    try {
      await send(notifier);
    } catch (error) {
      this.emit("failed", error as Error, what);
    }
  }
}
