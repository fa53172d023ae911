import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { BodyMap } from "../agent/body/BodyMap.js";
import type { AgentConfig, EmbeddedConfig, MqttConfig } from "./AgentConfig.js";
import { ConfigError } from "./ConfigError.js";
import type { ConfigProblem } from "./ConfigError.js";
import { defaultAgentConfig } from "./defaultAgentConfig.js";
import { sampleBodyMap } from "./sampleBodyMap.js";

type Raw = Record<string, unknown>;

/**
 * Reads an agent configuration (JSON). Paths are relative to the file; `body: "sample"` (or no
 * body) is the sample vehicle's map. Only the shape the agent relies on is checked here; every
 * problem is listed at once.
 */
export async function loadAgentConfig(file: string): Promise<AgentConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new ConfigError(file, [{ path: "(file)", expected: "JSON", found: error.message }]);
    }
    throw error;
  }
  const problems: ConfigProblem[] = [];
  const config = readConfig(isRecord(raw) ? raw : {}, dirname(file), problems);
  if (!isRecord(raw)) problems.push({ path: "(file)", expected: "an object", found: typeName(raw) });
  if (problems.length > 0) throw new ConfigError(file, problems);
  return config;
}

function readConfig(raw: Raw, base: string, problems: ConfigProblem[]): AgentConfig {
  const defaults = defaultAgentConfig();
  const get = reader(raw, "", problems);
  const path = (value: string) => resolve(base, value);
  const can = isRecord(raw.can) ? raw.can : {};
  const canGet = reader(can, "can.", problems);
  const dbc = get.optional("dbc", "string");
  const config: AgentConfig = {
    thing: get.required("thing", "string") ?? "",
    mqtt: readMqtt(raw.mqtt, path, problems),
    reconnect: defaults.reconnect,
    requestTimeoutMs: get.optional("requestTimeoutMs", "number") ?? defaults.requestTimeoutMs,
    can: {
      bus: canGet.optional("bus", "string") ?? defaults.can.bus,
      channel: canGet.optional("channel", "string") ?? defaults.can.channel,
    },
    dbc: dbc === undefined ? defaults.dbc : path(dbc),
    body: readBody(raw.body, problems),
    confirmTimeoutMs: get.optional("confirmTimeoutMs", "number") ?? defaults.confirmTimeoutMs,
  };
  const shadowName = get.optional("shadowName", "string");
  const embedded = readEmbedded(raw.embedded, path, problems);
  return {
    ...config,
    ...(shadowName === undefined ? {} : { shadowName }),
    ...(embedded === undefined ? {} : { embedded }),
  };
}

function readMqtt(
  raw: unknown,
  path: (p: string) => string,
  problems: ConfigProblem[],
): MqttConfig {
  if (!isRecord(raw)) {
    problems.push({ path: "mqtt", expected: "an object", found: typeName(raw) });
    return { transport: "mqtt", url: "" };
  }
  const get = reader(raw, "mqtt.", problems);
  const file = (key: string) => {
    const value = get.optional(key, "string");
    return value === undefined ? {} : { [key]: path(value) };
  };
  const clientId = get.optional("clientId", "string");
  const common = { ...(clientId === undefined ? {} : { clientId }), ...file("ca") };
  if (raw.transport === "iot-core") {
    const port = get.optional("port", "number");
    return {
      transport: "iot-core",
      endpoint: get.required("endpoint", "string") ?? "",
      ...(port === undefined ? {} : { port }),
      cert: path(get.required("cert", "string") ?? ""),
      key: path(get.required("key", "string") ?? ""),
      ...common,
    };
  }
  if (raw.transport !== "mqtt") {
    problems.push({ path: "mqtt.transport", expected: '"iot-core" or "mqtt"',
      found: JSON.stringify(raw.transport) ?? "nothing" });
  }
  return { transport: "mqtt", url: get.required("url", "string") ?? "", ...common,
    ...file("cert"), ...file("key") };
}

function readEmbedded(
  raw: unknown,
  path: (p: string) => string,
  problems: ConfigProblem[],
): EmbeddedConfig | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    problems.push({ path: "embedded", expected: "an object", found: typeName(raw) });
    return undefined;
  }
  const get = reader(raw, "embedded.", problems);
  const stateDir = get.optional("stateDir", "string");
  return {
    port: get.required("port", "number") ?? 0,
    simulatedEcu: get.optional("simulatedEcu", "boolean") ?? false,
    ...(stateDir === undefined ? {} : { stateDir: path(stateDir) }),
  };
}

// The full schema check of body maps belongs to the configuration schema; here only its frame.
function readBody(raw: unknown, problems: ConfigProblem[]): BodyMap {
  if (raw === undefined || raw === "sample") return sampleBodyMap;
  if (isRecord(raw) && isRecord(raw.fields) && isRecord(raw.interlock)) {
    return raw as unknown as BodyMap;
  }
  problems.push({ path: "body", expected: '"sample" or { fields, interlock }',
    found: typeName(raw) });
  return sampleBodyMap;
}

type Kind = "string" | "number" | "boolean";
type Of<K extends Kind> = K extends "string" ? string : K extends "number" ? number : boolean;

function reader(raw: Raw, prefix: string, problems: ConfigProblem[]) {
  const optional = <K extends Kind>(key: string, kind: K): Of<K> | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value === kind) return value as Of<K>;
    problems.push({ path: prefix + key, expected: `a ${kind}`, found: typeName(value) });
    return undefined;
  };
  const required = <K extends Kind>(key: string, kind: K): Of<K> | undefined => {
    if (raw[key] === undefined) {
      problems.push({ path: prefix + key, expected: `a ${kind}`, found: "nothing" });
    }
    return optional(key, kind);
  };
  return { optional, required };
}

function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `${typeof value} ${JSON.stringify(value).slice(0, 30)}`;
}
