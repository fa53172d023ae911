/**
 * A telemetry pipeline in a child process, for the crash tests: `node telemetryChild.js
 * <config JSON> feed|drain <dbc path>`. `feed` plays the sample drive into the pipeline without
 * end and prints `spooled <seq>` as each batch reaches the spool (stdout on a pipe is
 * synchronous on Linux, so a printed batch is on disk); `drain` sends what the spool holds and
 * prints `drained` once it is empty, then stops.
 */
import { readFileSync } from "node:fs";
import type { TelemetryConfig } from "../../../../agent/telemetry/TelemetryConfig.js";
import { TelemetryPipeline } from "../../../../agent/telemetry/TelemetryPipeline.js";
import { VirtualBus } from "../../../../drivers/can/virtual/VirtualBus.js";
import { parseDbc } from "../../../../drivers/dbc/index.js";
import { sampleDriveFrames } from "../../../../replay/sample/sampleDriveFrames.js";

const [configJson = "{}", mode = "feed", dbcPath = ""] = process.argv.slice(2);
const config = JSON.parse(configJson) as TelemetryConfig;
const dbc = parseDbc(readFileSync(dbcPath), { file: dbcPath });
const bus = VirtualBus.endpoint("child", "telemetry");
const pipeline = new TelemetryPipeline({ buses: bus, dbc, config, metricsIntervalMs: 0 });
const say = (line: string) => process.stdout.write(`${line}\n`);

pipeline.on("spooled", (e) => say(`spooled ${e.seq}`));
pipeline.on("sent", (e) => say(`sent ${e.seq}`));
await pipeline.start();

if (mode === "feed") {
  const origin = process.hrtime.bigint();
  const frames = sampleDriveFrames({ durationS: 3600 });
  const step = () => {
    for (let i = 0; i < 2000; i++) {
      const next = frames.next();
      if (next.done) return;
      pipeline.ingest(0, next.value.frame, origin + BigInt(next.value.timeNs));
    }
    setImmediate(step);
  };
  step();
} else {
  const check = () => {
    if (pipeline.health().spool.batches > 0) return;
    say("drained");
    void pipeline.stop().then(() => process.exit(0));
  };
  pipeline.on("sent", check);
  pipeline.on("sink", (e) => e.connected && check());
}
