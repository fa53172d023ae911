import { EMBEDDED_PORT } from "../config/defaultAgentConfig.js";
import type { Command } from "commander";
import mqtt from "mqtt";
import { decodePayload } from "../agent/telemetry/payloadCodec.js";
import type { TelemetryBatch } from "../agent/telemetry/TelemetryBatch.js";
import type { TelemetryRecord } from "../agent/telemetry/TelemetryRecord.js";
import { UsageError } from "./UsageError.js";

interface WatchFlags {
  broker: string;
  topic: string[];
  json?: boolean;
  count?: string;
}

/** Where `watch` writes; tests pass their own. */
export interface WatchOutput {
  out(text: string): void;
  err(text: string): void;
}

// The embedded broker of `roadrig agent` on its defaults.
const DEFAULT_BROKER = `mqtt://127.0.0.1:${EMBEDDED_PORT}`;
const DEFAULT_TOPIC = "roadrig/+/telemetry/#";

/** `roadrig telemetry watch`: what the telemetry pipeline publishes, as it arrives. */
export function registerTelemetryCommand(
  program: Command,
  output: WatchOutput = {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  },
): void {
  const telemetry = program.command("telemetry").description("look at the telemetry the agent sends");
  telemetry
    .command("watch")
    .description("subscribe to the telemetry topics and print each batch as it arrives")
    .option("--broker <url>", "MQTT broker", DEFAULT_BROKER)
    .option("--topic <filter...>", "topic filters", [DEFAULT_TOPIC])
    .option("--json", "one JSON object per batch (with its topic)")
    .option("--count <n>", "exit after n batches")
    .action((flags: WatchFlags) => watch(flags, output));
}

async function watch(flags: WatchFlags, output: WatchOutput): Promise<void> {
  const limit = flags.count === undefined ? Infinity : Number(flags.count);
  if (!(limit > 0) || (limit !== Infinity && !Number.isInteger(limit))) {
    throw new UsageError(`--count ${flags.count}: expected a positive integer`);
  }
  const client = await mqtt.connectAsync(flags.broker, { reconnectPeriod: 1000 });
  await client.subscribeAsync(flags.topic, { qos: 1 });
  output.err(`watching ${flags.topic.join(", ")} on ${flags.broker}\n`);
  let seen = 0;
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    client.on("message", (topic, payload) => {
      output.out(render(topic, payload, flags.json === true));
      if (++seen >= limit) {
        process.off("SIGINT", stop);
        resolve();
      }
    });
  });
  await client.endAsync();
}

function render(topic: string, payload: Buffer, json: boolean): string {
  let batch: TelemetryBatch;
  try {
    batch = decodePayload(payload);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return json
      ? `${JSON.stringify({ topic, error: why, bytes: payload.length })}\n`
      : `${topic}: ${payload.length} bytes that are not a telemetry batch (${why})\n`;
  }
  if (json) return `${JSON.stringify({ topic, ...batch })}\n`;
  const head = `${topic} ${batch.stream} #${batch.seq} ${batch.records.length} records ` +
    `${payload.length} bytes vehicle ${batch.vehicle}\n`;
  return head + batch.records.map((r) => `  ${recordLine(r)}\n`).join("");
}

/** One line per record: time, where, what. */
export function recordLine(r: TelemetryRecord): string {
  const time = new Date(r.t).toISOString().slice(11, 23);
  const flag = r.type !== "capture" && r.outOfRange ? " (out of range)" : "";
  switch (r.type) {
    case "sample":
      return `${time} ${r.bus} ${r.message}.${r.signal} = ${r.value}${flag}`;
    case "window":
      return `${time} ${r.bus} ${r.message}.${r.signal} ${r.ms} ms: n=${r.count} ` +
        `min=${r.min} max=${r.max} mean=${round(r.mean)} last=${r.last}${flag}`;
    case "capture": {
      const times = r.samples.map((s) => s.t - r.t);
      const span = times.length > 0
        ? ` from ${Math.round(Math.min(...times))} ms to +${Math.round(Math.max(...times))} ms`
        : "";
      return `${time} ${r.bus} capture ${r.trigger}: ${r.samples.length} samples${span}`;
    }
  }
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
