import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultTelemetryConfig } from "../../agent/telemetry/defaultTelemetryConfig.js";
import { TelemetryPipeline } from "../../agent/telemetry/TelemetryPipeline.js";
import { registerTelemetryCommand } from "../../cli/telemetryCommand.js";
import { VirtualBus } from "../../drivers/can/virtual/VirtualBus.js";
import { startAedes, type TestBroker } from "../agent/shadow/service/support/brokers.js";
import { sampleDbc } from "../agent/telemetry/support/sampleDbc.js";
import { feedSampleDrive } from "../agent/telemetry/support/sampleDrive.js";

const dbc = sampleDbc();
let broker: TestBroker;
let dir: string;
beforeAll(async () => {
  broker = await startAedes();
  dir = mkdtempSync(join(tmpdir(), "roadrig-watch-"));
});
afterAll(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `roadrig telemetry watch ...args` in-process; resolves with its output once it exits. */
function watch(args: string[]) {
  let out = "";
  let subscribed: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  const program = new Command("roadrig").exitOverride();
  registerTelemetryCommand(program, { out: (s) => (out += s), err: () => subscribed() });
  const done = program
    .parseAsync(["telemetry", "watch", "--broker", broker.url, ...args], { from: "user" })
    .then(() => out);
  return { ready, done };
}

async function publishSampleDrive(seconds: number): Promise<number[]> {
  const config = defaultTelemetryConfig({ brokerUrl: broker.url, stateDir: dir });
  const bus = VirtualBus.endpoint("watch-test", "telemetry");
  const pipeline = new TelemetryPipeline({ buses: bus, dbc, config, metricsIntervalMs: 0 });
  const spooled: number[] = [];
  pipeline.on("spooled", (e) => spooled.push(e.seq));
  const connected = new Promise<void>((resolve) =>
    pipeline.on("sink", (e) => e.connected && resolve()));
  await pipeline.start();
  await connected;
  feedSampleDrive(pipeline, seconds);
  pipeline.flush();
  const sent = new Set<number>();
  await new Promise<void>((resolve) => pipeline.on("sent", (e) => {
    sent.add(e.seq);
    if (spooled.every((s) => sent.has(s))) resolve();
  }));
  await pipeline.stop();
  await bus.close();
  return spooled;
}

describe("roadrig telemetry watch", () => {
  it("prints each published batch as one JSON line with its topic", async () => {
    const w = watch(["--json", "--count", "2"]);
    await w.ready;
    const spooled = await publishSampleDrive(30);
    const lines = (await w.done).trim().split("\n").map((l) => JSON.parse(l) as {
      topic: string; seq: number; stream: string; records: unknown[];
    });
    expect(lines).toHaveLength(2);
    expect(spooled).toEqual(expect.arrayContaining(lines.map((l) => l.seq)));
    for (const l of lines) expect(l.topic).toBe(`roadrig/1RRSAMPLE0R000001/telemetry/${l.stream}`);
  });

  it("prints batches for people: a header, then one line per record", async () => {
    const w = watch(["--count", "3"]);
    await w.ready;
    await publishSampleDrive(90);
    const text = await w.done;
    expect(text).toMatch(/^roadrig\/\S+\/telemetry\/(events|periodic) \S+ #\d+ \d+ records \d+ bytes/m);
    expect(text).toMatch(/^ {2}\d\d:\d\d:\d\d\.\d{3} \S+ (BodyStatus\.\w+ = \d|\w+\.\w+ 1000 ms: n=\d+|capture harsh-braking)/m);
  });

  it("refuses a count that is not a positive integer", async () => {
    await expect(watch(["--count", "0"]).done).rejects.toThrow(/--count 0: expected a positive integer/);
  });
});
