import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultTelemetryConfig } from "../../../agent/telemetry/defaultTelemetryConfig.js";
import type { TelemetryConfig } from "../../../agent/telemetry/TelemetryConfig.js";
import { startChild } from "../../support/childProcess.js";
import { compileForChild } from "../../support/compileForChild.js";
import { startMosquitto, type TestBroker } from "../shadow/service/support/brokers.js";
import { BatchCollector } from "./support/BatchCollector.js";
import { KafkaReader, MockKafka } from "./support/MockKafka.js";
import { SAMPLE_DBC_PATH } from "./support/sampleDbc.js";

let broker: TestBroker;
let kafka: MockKafka;
let root: string;
const dirs: string[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
  kafka = await MockKafka.start();
  root = compileForChild([
    "agent/telemetry", "drivers", "replay/sample", "replay/formats", "test/agent/telemetry/support",
  ]);
  dirs.push(root);
});
afterAll(async () => {
  await broker.stop();
  await kafka.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** What the sink received, by sequence number. */
interface Received {
  seqs(): number[];
  until(test: () => boolean): Promise<void>;
  stop(): Promise<void>;
}

const sinks: Record<string, (config: TelemetryConfig) => Promise<Received>> = {
  "MQTT (Mosquitto)": async () => BatchCollector.start(broker.url, "roadrig/+/telemetry/#"),
  "Kafka (librdkafka mock cluster)": (config) => {
    const topic = `crash-${Date.now()}`;
    config.sinks = [{
      type: "kafka", name: "uplink", properties: { "bootstrap.servers": kafka.bootstrapServers },
    }];
    for (const s of config.streams) s.topic = topic;
    // The reader starts once the topic exists (after the children ran), from its first record.
    let reader: KafkaReader | undefined;
    return Promise.resolve({
      seqs: () => reader?.seqs() ?? [],
      async until(test) {
        reader ??= await KafkaReader.start(kafka.bootstrapServers, topic);
        await reader.until(test);
      },
      stop: async () => reader?.stop(),
    } satisfies Received);
  },
};

describe.each(Object.keys(sinks))("TelemetryPipeline killed with SIGKILL mid-stream, to %s",
  (sink) => {
  it("loses no spooled batch and sends at most one twice after a restart", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "roadrig-telemetry-crash-"));
    dirs.push(stateDir);
    const config = defaultTelemetryConfig({ brokerUrl: broker.url, stateDir });
    // Small batches come faster than one round trip each: a backlog builds while feeding.
    for (const s of config.streams) s.batch = { maxCount: 3, maxAgeMs: 60_000 };
    const received = await (sinks[sink] as (c: TelemetryConfig) => Promise<Received>)(config);
    const child = join(root, "test", "agent", "telemetry", "support", "telemetryChild.js");
    const args = (mode: string) => [child, JSON.stringify(config), mode, SAMPLE_DBC_PATH];

    // Mid-stream: the sink has acknowledged batches, and more are being spooled.
    const feeding = await startChild("node", args("feed"), /^spooled ([4-9]\d|\d{3,})$/);
    // Killed once the sink has acknowledged some batches and others wait in the spool.
    await new Promise<void>((resolve) => {
      let out = feeding.line;
      feeding.child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const sent = (out.match(/^sent \d+$/gm) ?? []).length;
        const spooled = (out.match(/^spooled \d+$/gm) ?? []).length;
        if (sent > 0 && spooled - sent >= 3) resolve();
      });
    });
    feeding.child.kill("SIGKILL");
    const first = await feeding.done;
    expect(first.signal).toBe("SIGKILL");
    const spooled = [...first.stdout.matchAll(/^spooled (\d+)$/gm)].map((m) => Number(m[1]));
    expect(spooled.length).toBeGreaterThanOrEqual(40);
    expect(first.stdout).toMatch(/^sent \d+$/m);

    const draining = await startChild("node", args("drain"), /^drained$/);
    const second = await draining.done;
    expect(second.code).toBe(0);
    // The restart had work: batches spooled but not acknowledged when the first one died.
    const resent = [...second.stdout.matchAll(/^sent (\d+)$/gm)].map((m) => Number(m[1]));
    expect(resent.length).toBeGreaterThan(0);
    // The highest batch may have been spooled after the last line the test saw.
    const top = Math.max(...spooled, ...resent);
    await received.until(() => received.seqs().includes(top));
    await received.stop();

    const seen = new Map<number, number>();
    for (const seq of received.seqs()) seen.set(seq, (seen.get(seq) ?? 0) + 1);
    const missing = spooled.filter((seq) => !seen.has(seq));
    expect(missing).toEqual([]);
    const twice = [...seen].filter(([, n]) => n > 1);
    expect(twice.length).toBeLessThanOrEqual(1);
    expect(twice.every(([, n]) => n === 2)).toBe(true);
    // No gaps either: every number up to the last one used was delivered.
    const max = Math.max(...seen.keys());
    const all = Array.from({ length: max }, (_, i) => i + 1);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(all);
  });
});
