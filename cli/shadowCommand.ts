import { readFile } from "node:fs/promises";
import type { Socket } from "node:net";
import type { Command } from "commander";
import { connectAsync } from "mqtt";
import type { IClientOptions, MqttClient } from "mqtt";
import type { JsonObject, JsonValue } from "../agent/shadow/JsonValue.js";
import { isJsonObject, setKey } from "../agent/shadow/JsonValue.js";
import { ShadowClient } from "../agent/shadow/ShadowClient.js";
import type { ShadowAddress } from "../agent/shadow/ShadowTopic.js";
import { shadowTopic } from "../agent/shadow/ShadowTopic.js";
import { EMBEDDED_PORT, EMBEDDED_THING } from "../config/defaultAgentConfig.js";
import { UsageError } from "./UsageError.js";

interface ShadowFlags {
  url: string;
  thing: string;
  shadowName?: string;
  cert?: string;
  key?: string;
  ca?: string;
  timeout: string;
}

/** `roadrig shadow get | set field=value... | watch`: the app's side of the device shadow. */
export function registerShadowCommand(program: Command): void {
  const shadow = program.command("shadow")
    .description("read, set and watch a device shadow, as the connected-vehicle app does");
  withConnection(shadow.command("get"))
    .description("print the shadow document")
    .action(async (flags: ShadowFlags) => {
      await withShadow(flags, async (client, address) => {
        const document = await client.get(address.thing, requestOptions(address));
        process.stdout.write(`${JSON.stringify(document)}\n`);
      });
    });
  withConnection(shadow.command("set"))
    .description("set desired values, then wait until the agent reports them (or an error)")
    .argument("<assignments...>", "field=value; the value is JSON when it parses, else text")
    .option("--no-wait", "return once the shadow accepted the desired values")
    .action(async (assignments: string[], flags: ShadowFlags & { wait: boolean }) => {
      const desired = parseAssignments(assignments);
      await withShadow(flags, (client, address, mqtt) =>
        setDesired(client, address, mqtt, desired, flags));
    });
  withConnection(shadow.command("watch"))
    .description("print each accepted update and delta as a JSON line")
    .option("--until <field=value>", "exit once the reported state shows this value")
    .action(async (flags: ShadowFlags & { until?: string }) => {
      const until = flags.until === undefined ? undefined : parseAssignments([flags.until]);
      await withShadow(flags, (_client, address, mqtt) => watch(address, mqtt, until));
    });
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const BROKER_SCHEMES = ["mqtt", "mqtts", "ws", "wss"];

function withConnection(command: Command): Command {
  return command
    .option("--url <url>", "broker URL (mqtt://, mqtts://, or ws:// for the vehicle page's /mqtt)",
      `mqtt://127.0.0.1:${EMBEDDED_PORT}`)
    .option("--thing <name>", "thing name", EMBEDDED_THING)
    .option("--shadow-name <name>", "a named shadow (the classic shadow when absent)")
    .option("--cert <file>", "client certificate (PEM) for mutual TLS")
    .option("--key <file>", "client private key (PEM)")
    .option("--ca <file>", "CA certificate (PEM) the broker's certificate is checked against")
    .option("--timeout <ms>", "how long to wait for answers", "10000");
}

/** `door=open`, `windowFL=50`, `door=null` (removes the desired value). */
export function parseAssignments(assignments: readonly string[]): JsonObject {
  const desired: JsonObject = {};
  for (const assignment of assignments) {
    const at = assignment.indexOf("=");
    if (at <= 0) throw new UsageError(`expected field=value, found '${assignment}'`);
    const text = assignment.slice(at + 1);
    let value: JsonValue = text;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch {
      // Not JSON: the text itself, so that door=open needs no quotes.
    }
    setKey(desired, assignment.slice(0, at), value);
  }
  return desired;
}

async function withShadow(
  flags: ShadowFlags,
  body: (client: ShadowClient, address: ShadowAddress, mqtt: MqttClient) => Promise<void>,
): Promise<void> {
  const timeoutMs = Number(flags.timeout);
  // Node's timers fire at once beyond 2^31 - 1 ms: a long timeout would time out immediately.
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMER_MS) {
    throw new UsageError(`--timeout: expected milliseconds from 1 to ${MAX_TIMER_MS}, `
      + `found '${flags.timeout}'`);
  }
  // mqtt.js takes any scheme and falls back to localhost:1883 for one it does not know.
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(flags.url)?.[1]?.toLowerCase();
  if (scheme === undefined || !BROKER_SCHEMES.includes(scheme)) {
    throw new UsageError(`--url ${flags.url}: expected ${BROKER_SCHEMES.join("://, ")}:// URL`);
  }
  const mqtt = await connectAsync(flags.url, await connectOptions(flags));
  // Nagle's algorithm with delayed ACKs costs ~45 ms per request on loopback.
  (mqtt.stream as Partial<Socket>).setNoDelay?.(true);
  const client = new ShadowClient(mqtt, { timeoutMs });
  const address: ShadowAddress = flags.shadowName === undefined
    ? { thing: flags.thing }
    : { thing: flags.thing, shadowName: flags.shadowName };
  try {
    await body(client, address, mqtt);
  } finally {
    client.close();
    await mqtt.endAsync();
  }
}

async function connectOptions(flags: ShadowFlags): Promise<IClientOptions> {
  const file = async (path: string | undefined) =>
    path === undefined ? undefined : await readFile(path);
  const [cert, key, ca] = await Promise.all([file(flags.cert), file(flags.key), file(flags.ca)]);
  return {
    reconnectPeriod: 0,
    connectTimeout: Number(flags.timeout),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(ca === undefined ? {} : { ca }),
  };
}

function requestOptions(address: ShadowAddress): { shadowName?: string } {
  return address.shadowName === undefined ? {} : { shadowName: address.shadowName };
}

async function setDesired(
  client: ShadowClient,
  address: ShadowAddress,
  mqtt: MqttClient,
  desired: JsonObject,
  flags: ShadowFlags & { wait: boolean },
): Promise<void> {
  const timeoutMs = Number(flags.timeout);
  const outcome = flags.wait ? waitForReport(address, mqtt, desired, timeoutMs) : undefined;
  // Subscribed before the update, so that a fast agent's report is not missed.
  await outcome?.subscribed;
  const accepted = await client.update(address.thing, { state: { desired } },
    requestOptions(address));
  if (outcome === undefined) {
    process.stdout.write(`${JSON.stringify({ version: accepted.version, desired })}\n`);
    return;
  }
  const reported = await outcome.done;
  process.stdout.write(`${JSON.stringify({ reported })}\n`);
  if (isJsonObject(reported.errors) &&
    Object.keys(desired).some((field) => isJsonObject(reported.errors) &&
      Object.hasOwn(reported.errors, field))) {
    process.exitCode = 1;
  }
}

/**
 * Resolves with the reported state once every field is reported at its desired value or with
 * an error: what the app would see on /update/accepted.
 */
function waitForReport(
  address: ShadowAddress,
  mqtt: MqttClient,
  desired: JsonObject,
  timeoutMs: number,
): { subscribed: Promise<unknown>; done: Promise<JsonObject> } {
  const topic = shadowTopic(address, "update", "accepted");
  const seen: JsonObject = {};
  const errors: JsonObject = {};
  const done = new Promise<JsonObject>((resolve, reject) => {
    const timer = setTimeout(() => {
      mqtt.off("message", onMessage);
      reject(Object.assign(new Error(`${topic}: desired ${JSON.stringify(desired)} not ` +
        `reported in ${timeoutMs} ms`), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    const onMessage = (received: string, payload: Buffer) => {
      if (received !== topic) return;
      const reported = reportedIn(payload);
      if (reported === undefined) return;
      for (const field of Object.keys(desired)) {
        if (Object.hasOwn(reported, field)) setKey(seen, field, reported[field]!);
        const error = isJsonObject(reported.errors) ? reported.errors[field] : undefined;
        if (isJsonObject(error) && error.desired !== undefined &&
          JSON.stringify(error.desired) === JSON.stringify(desired[field])) {
          setKey(errors, field, error);
        }
      }
      const settled = Object.keys(desired).every((field) => Object.hasOwn(errors, field) ||
        JSON.stringify(seen[field]) === JSON.stringify(desired[field]));
      if (!settled) return;
      clearTimeout(timer);
      mqtt.off("message", onMessage);
      resolve(Object.keys(errors).length > 0 ? { ...seen, errors } : seen);
    };
    mqtt.on("message", onMessage);
  });
  return { subscribed: mqtt.subscribeAsync(topic, { qos: 1 }), done };
}

function reportedIn(payload: Buffer): JsonObject | undefined {
  try {
    const body: unknown = JSON.parse(payload.toString("utf8"));
    if (!isJsonObject(body) || !isJsonObject(body.state)) return undefined;
    return isJsonObject(body.state.reported) ? body.state.reported : undefined;
  } catch {
    return undefined;
  }
}

async function watch(
  address: ShadowAddress,
  mqtt: MqttClient,
  until: JsonObject | undefined,
): Promise<void> {
  const topics = [shadowTopic(address, "update", "accepted"),
    shadowTopic(address, "update", "delta")];
  await new Promise<void>((resolve, reject) => {
    mqtt.on("message", (topic, payload) => {
      let body: unknown = payload.toString("utf8");
      try {
        body = JSON.parse(body as string);
      } catch {
        // Printed as text: a watcher shows what was published, valid or not.
      }
      process.stdout.write(`${JSON.stringify({ topic, body })}\n`);
      if (until !== undefined && topic === topics[0] && matches(reportedIn(payload), until)) {
        resolve();
      }
    });
    mqtt.on("close", () => resolve());
    mqtt.subscribeAsync(topics, { qos: 1 }).then(
      () => process.stderr.write(`watching ${topics.join(", ")}\n`),
      reject,
    );
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

function matches(reported: JsonObject | undefined, until: JsonObject): boolean {
  if (reported === undefined) return false;
  return Object.entries(until).every(([field, value]) =>
    JSON.stringify(reported[field]) === JSON.stringify(value));
}
