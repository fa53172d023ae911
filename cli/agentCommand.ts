import type { Command } from "commander";
import type { Logger } from "pino";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onBusState } from "../agent/body/onBusState.js";
import type { AgentParts } from "../agent/createAgent.js";
import type { EmbeddedTelemetry } from "../agent/embedded/embeddedTelemetry.js";
import type { AgentConfig } from "../config/AgentConfig.js";
import { defaultAgentConfig, EMBEDDED_PORT } from "../config/defaultAgentConfig.js";
import { loadAgentConfig } from "../config/loadAgentConfig.js";
import { redactUrl } from "../config/redactConfig.js";
import { createLogger } from "./logger.js";
import type { LogFormat } from "./logger.js";
import { DEFAULT_HEALTH_PORT, runAgentService } from "./runAgentService.js";
import type { AgentRuntime } from "./runAgentService.js";
import { portFlag } from "./portFlag.js";

interface AgentFlags {
  config?: string;
  port: string;
  stateDir?: string;
  healthPort?: string;
  webPort?: string;
}

/**
 * `roadrig agent`: keeps the body in step with the device shadow until SIGINT or SIGTERM.
 * Without a configuration it runs the embedded default: a local shadow service on an in-process
 * broker on loopback, and a simulated body ECU on a virtual bus.
 */
export function registerAgentCommand(program: Command): void {
  program
    .command("agent")
    .description("run the agent (no --config: embedded broker, shadow service and simulated ECU)")
    .option("--config <file>", "agent configuration (YAML or JSON; see roadrig config check)")
    .option("--port <port>", "embedded broker's loopback port", String(EMBEDDED_PORT))
    .option("--state-dir <dir>", "keep the embedded shadow service's documents here")
    .option("--health-port <port>", "serve /healthz, /readyz and /metrics on this port "
      + `(embedded default: ${DEFAULT_HEALTH_PORT} on loopback; 0 picks one)`)
    .option("--web-port <port>", "serve the vehicle page (and MQTT over WebSockets at /mqtt) "
      + "on this port (embedded default: 18831 on loopback; 0 picks one)")
    .action(async (flags: AgentFlags) => {
      const globals = program.opts<{ logLevel: string; logFormat?: LogFormat }>();
      const config = await configFor(flags);
      // `--log-level` has a default: only one given on the command line beats the file's.
      const level = program.getOptionValueSource("logLevel") === "cli" ? globals.logLevel
        : config.logLevel ?? process.env.ROADRIG_LOG_LEVEL ?? "info";
      const log = createLogger({ level,
        ...(globals.logFormat ? { format: globals.logFormat } : {}) });
      // Loaded here, so that other commands do not pay for the agent's modules.
      const { createAgent } = await import("../agent/createAgent.js");
      const telemetry = config.embedded === undefined
        ? await configuredTelemetry(config)
        : await (await import("../agent/embedded/embeddedTelemetry.js"))
          .embeddedTelemetry(config, telemetryStateDir(flags));
      const page = await vehiclePage(config, flags, log.child({ component: "vehicle-page" }));
      const parts = await createAgent(config, [...telemetry?.components ?? [],
        ...page === undefined ? [] : [page.server]]);
      page?.attach(parts);
      logEvents(parts, log.child({ thing: config.thing }));
      if (telemetry) logTelemetry(telemetry, log.child({ component: "telemetry" }));
      const code = await runAgentService({ parts, config, log, broker: describeBroker(config),
        ...(telemetry === undefined ? {} : { pipeline: telemetry.pipeline }),
        ...(flags.config === undefined ? {} : { configPath: flags.config }),
        ...healthFor(config, flags) });
      // A shutdown cut short leaves timers and sockets behind that would keep the process up.
      if (code !== 0) process.exit(code);
    });
}

async function configFor(flags: AgentFlags): Promise<AgentConfig> {
  if (flags.config !== undefined) return loadAgentConfig(flags.config);
  const port = portFlag("--port", flags.port);
  const config = defaultAgentConfig(port);
  if (flags.stateDir === undefined || config.embedded === undefined) return config;
  return { ...config, embedded: { ...config.embedded, stateDir: flags.stateDir } };
}

function describeBroker(config: AgentConfig): string {
  // Logged, and sent as the service's status: a password in the URL stays out.
  return config.mqtt.transport === "mqtt"
    ? redactUrl(config.mqtt.url)
    : `${config.mqtt.endpoint}:${config.mqtt.port ?? 8883}`;
}

/** The program's logging of what the agent's parts report; the parts themselves never log. */
function logEvents(parts: AgentParts, log: Logger): void {
  parts.link.on("connect", (sessionPresent) => log.info({ sessionPresent }, "mqtt connected"));
  parts.link.on("disconnect", (reason) => log.warn({ reason }, "mqtt disconnected"));
  parts.sync.on("synced", (version) => log.info({ version }, "shadow synced"));
  parts.sync.on("stale", (version, lastSeen) =>
    log.info({ version, lastSeen }, "stale delta ignored"));
  parts.sync.on("refused", (topic, reason) => log.warn({ topic, reason }, "message refused"));
  parts.sync.on("failed", (err, during) => log.error({ err, during }, "shadow request failed"));
  parts.sync.on("outcome", (outcome) => {
    if (outcome.ok) {
      log.info({ field: outcome.field, value: outcome.reported }, "body state reported");
    } else {
      log.warn({ field: outcome.field, desired: outcome.desired, code: outcome.code,
        reason: outcome.reason }, "desired value refused");
    }
  });
  onBusState(parts.bus, (event) => {
    if (event.state === "down") log.warn(event, "CAN interface down; frames held until it is up");
    else log.info(event, "CAN interface up again; socket reopened");
  });
  parts.body.on("changed", (field, value) =>
    log.info({ field, value }, "body changed without a command"));
  parts.broker?.on("ignored", (topic) => log.warn({ topic }, "shadow service ignored a message"));
  parts.broker?.on("failed", (err, topic) =>
    log.error({ err, topic }, "shadow service request failed"));
}

/** The embedded default's spool: beside the shadow documents, else in the temporary folder. */
function telemetryStateDir(flags: AgentFlags): string {
  return flags.stateDir ?? join(tmpdir(), `roadrig-agent-${flags.port}`);
}

/** The configuration's `telemetry` section, when it has one. */
async function configuredTelemetry(config: AgentConfig) {
  if (config.telemetry === undefined) return undefined;
  const { telemetryFromConfig } = await import("../agent/telemetry/telemetryFromConfig.js");
  const t = await telemetryFromConfig(config);
  return t && { components: [t.component], pipeline: t.pipeline };
}

function logTelemetry(t: Omit<EmbeddedTelemetry, "drive"> & Partial<EmbeddedTelemetry>,
  log: Logger): void {
  t.pipeline.on("metrics", (metrics) => log.info({ metrics }, "telemetry metrics"));
  t.pipeline.on("dropped", (drop) => log.warn(drop, "telemetry batch dropped"));
  t.pipeline.on("sink", (state) => log.info(state, "telemetry sink"));
  t.drive?.on("failed", (err) => log.error({ err }, "simulated drive stopped"));
}

/** The vehicle page, its URL logged once it listens. */
async function vehiclePage(config: AgentConfig, flags: AgentFlags, log: Logger) {
  const webPort = flags.webPort === undefined ? undefined : portFlag("--web-port", flags.webPort);
  const { vehiclePageFor } = await import("../agent/web/vehiclePageFor.js");
  const page = vehiclePageFor(config, webPort);
  page?.server.on("listening", (url) => log.info({ url }, "vehicle page"));
  page?.server.on("unavailable", (err) =>
    log.warn({ err }, "vehicle page not served: port unavailable"));
  page?.server.on("failed", (err) => log.error({ err }, "vehicle page request failed"));
  return page;
}

/** `--health-port`, else the configured listener, else loopback for the embedded default. */
function healthFor(config: AgentConfig, flags: AgentFlags): Pick<AgentRuntime, "health"> {
  if (flags.healthPort !== undefined) {
    const port = portFlag("--health-port", flags.healthPort);
    return { health: { host: config.health?.host ?? "127.0.0.1", port } };
  }
  if (config.health !== undefined) return { health: config.health };
  // Optional: a second embedded agent on the machine runs without, rather than failing.
  if (config.embedded !== undefined) {
    return { health: { host: "127.0.0.1", port: DEFAULT_HEALTH_PORT, optional: true } };
  }
  return {};
}
