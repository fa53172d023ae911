import type { Logger } from "pino";
import type { AgentParts } from "../agent/createAgent.js";
import { AgentService } from "../agent/service/AgentService.js";
import { changedKeys } from "../agent/service/changedKeys.js";
import { openNotifySocket } from "../agent/service/openNotifySocket.js";
import { reconnectStallMs } from "../agent/service/reconnectStallMs.js";
import { SystemdNotifier } from "../agent/service/SystemdNotifier.js";
import { watchdogIntervalMs } from "../agent/service/watchdogIntervalMs.js";
import type { TelemetryPipeline } from "../agent/telemetry/TelemetryPipeline.js";
import type { AgentConfig, ListenConfig } from "../config/AgentConfig.js";

export interface AgentRuntime {
  readonly parts: AgentParts;
  readonly pipeline?: TelemetryPipeline;
  readonly config: AgentConfig;
  /** Re-read on SIGHUP; the embedded default has none. */
  readonly configPath?: string;
  readonly health?: ListenConfig & { readonly optional?: boolean };
  readonly broker: string;
  readonly log: Logger;
}

/** The embedded default's health port: 18830 is its broker's, 18831 the vehicle page's. */
export const DEFAULT_HEALTH_PORT = 18832;

/** Keys SIGHUP applies in place; every other change waits for a restart. */
const RELOADABLE: Record<string, (value: unknown, log: Logger) => void> = {
  // Child loggers follow their parent's level, so the whole program's logging changes.
  logLevel: (value, log) => {
    log.level = typeof value === "string" ? value : process.env.ROADRIG_LOG_LEVEL ?? "info";
  },
};

/**
 * Runs the agent under its service manager until SIGTERM or SIGINT, then shuts it down within
 * its time limit; a second signal cuts the shutdown short. SIGHUP reloads the configuration.
 * Resolves with the exit code: 0 after a clean shutdown, 1 when it was cut short.
 */
export async function runAgentService(runtime: AgentRuntime): Promise<number> {
  const { log } = runtime;
  const socket = openNotifySocket(process.env.NOTIFY_SOCKET);
  const interval = watchdogIntervalMs(process.env);
  const service = new AgentService({
    parts: runtime.parts,
    broker: runtime.broker,
    ...(runtime.pipeline === undefined ? {} : { pipeline: runtime.pipeline }),
    ...(socket === undefined ? {} : { notifier: new SystemdNotifier(socket) }),
    ...(interval === undefined ? {} : { watchdogIntervalMs: interval }),
    ...(runtime.health === undefined ? {} : { health: runtime.health }),
    ...(runtime.config.shutdownTimeoutMs === undefined
      ? {} : { shutdownTimeoutMs: runtime.config.shutdownTimeoutMs }),
    ...(runtime.config.service === undefined
      ? {} : { readyTimeoutMs: runtime.config.service.readyTimeoutMs }),
    reconnectStallMs: reconnectStallMs(runtime.config.reconnect),
  });
  logService(service, log, interval);
  await service.start();
  log.info({ thing: runtime.config.thing, shadowName: runtime.config.shadowName,
    broker: runtime.broker, embedded: runtime.config.embedded !== undefined,
    health: service.healthUrl }, "agent running");

  let config = runtime.config;
  const onHangup = () => {
    void reload(service, runtime, config, log).then((next) => (config = next));
  };
  process.on("SIGHUP", onHangup);
  try {
    return await stopOnSignal(service, log);
  } finally {
    process.off("SIGHUP", onHangup);
  }
}

function logService(service: AgentService, log: Logger, watchdogMs: number | undefined): void {
  service.on("ready", (status) => log.info({ status, watchdogMs }, "agent ready"));
  service.on("status", (status) => log.info({ status }, "agent status"));
  service.on("withheld", (reasons) => log.warn({ reasons }, "watchdog ping withheld"));
  service.on("failed", (err, message) => log.error({ err, message }, "systemd notify failed"));
  service.on("healthFailed", (err) =>
    log.warn({ err }, "health endpoints not served: port unavailable"));
  service.on("stopping", (component) => log.info({ component }, "stopping component"));
}

function stopOnSignal(service: AgentService, log: Logger): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (signals++ > 0) {
        log.warn({ signal }, "second signal: shutdown cut short");
        service.force();
        return;
      }
      log.info({ signal }, "agent stopping");
      void service.shutdown().then((result) => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        if (result.clean) {
          log.info({ elapsedMs: result.elapsedMs }, "agent stopped");
          resolve(0);
        } else {
          log.error({ cause: result.cause, cutShort: result.cutShort,
            elapsedMs: result.elapsedMs }, "shutdown cut short");
          resolve(1);
        }
      });
    };
    let signals = 0;
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/** Re-reads the file, applies the reloadable keys, and names the changes that need a restart. */
async function reload(service: AgentService, runtime: AgentRuntime, current: AgentConfig,
  log: Logger): Promise<AgentConfig> {
  const path = runtime.configPath;
  try {
    return await service.reload(async () => {
      if (path === undefined) {
        log.info("reload: no configuration file (embedded default), nothing to re-read");
        return { running: current, applied: [], needRestart: [] };
      }
      const { loadAgentConfig } = await import("../config/loadAgentConfig.js");
      const next = await loadAgentConfig(path);
      const changed = changedKeys(current, next);
      const applied = changed.filter((key) => Object.hasOwn(RELOADABLE, key));
      for (const key of applied) {
        RELOADABLE[key]?.((next as unknown as Record<string, unknown>)[key], log);
      }
      const needRestart = changed.filter((key) => !applied.includes(key));
      // A file that says something the agent is not doing deserves a warning.
      log[needRestart.length > 0 ? "warn" : "info"]({ file: path, applied, needRestart },
        needRestart.length > 0
        ? "configuration reloaded; changes that need a restart were not applied"
        : "configuration reloaded");
      // The running configuration takes only what was applied, so that the next reload still
      // names the changes waiting for a restart.
      const running = { ...current } as unknown as Record<string, unknown>;
      for (const key of applied) running[key] = (next as unknown as Record<string, unknown>)[key];
      return { running: running as unknown as AgentConfig, applied, needRestart };
    }, (r) => `reloaded: ${r.applied.length} applied, ${r.needRestart.length} need a restart`)
      .then((r) => r.running);
  } catch (err) {
    // A file with problems is the user's input: the problems, not a stack trace.
    const e = err as Error & { code?: unknown };
    const detail = e.code === "ECONFIG" ? { problems: e.message } : { err };
    log.error({ ...detail, file: path }, "reload failed; the running configuration stays");
    return current;
  }
}
