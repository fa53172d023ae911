import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { TelemetryPipeline } from "../../agent/telemetry/TelemetryPipeline.js";
import { SocketCanBus } from "../../drivers/can/socketcan/SocketCanBus.js";
import { parseDbc } from "../../drivers/dbc/index.js";
import { dataPath, hasShared, truthPath } from "../../test/support/sharedData.js";
import { CollectingSink } from "../support/CollectingSink.js";
import { inVm } from "../support/vm.js";

const run = promisify(execFile);
const DBC = "api-examples__canmod-gps.dbc";

interface TruthFrame {
  input: { id: string; data_hex: string };
  message: string;
  physical: Record<string, number>;
}

describe.skipIf(!inVm || !hasShared)("the telemetry pipeline reading vcan0", () => {
  it(`decodes frames from cansend and canplayer with ${DBC} as cantools does`, async () => {
    const truth = (JSON.parse(readFileSync(truthPath("dbc", `${DBC}.decoded.json`), "utf8")) as
      { frames: TruthFrame[] }).frames;
    const dir = mkdtempSync(join(tmpdir(), "roadrig-vm-telemetry-"));
    const bus = SocketCanBus.open("vcan0");
    const sink = new CollectingSink();
    const pipeline = new TelemetryPipeline({
      buses: bus,
      dbc: parseDbc(readFileSync(dataPath("dbc", DBC)), { file: DBC }),
      config: {
        identity: { vin: "WDB0000000VCAN000" },
        streams: [{ name: "all", priority: 1, signals: [{ names: ["*"] }],
          batch: { maxCount: 10_000, maxAgeMs: 100 }, format: "json", sink: "collect",
          topic: "vehicles/{vehicle}/all" }],
        sinks: [],
        spool: { dir, fsync: "never" },
      },
      sinks: [sink],
      metricsIntervalMs: 0,
    });
    try {
      await pipeline.start();
      const half = Math.ceil(truth.length / 2);
      const line = (f: TruthFrame) => `${f.input.id}#${f.input.data_hex}`;
      for (const frame of truth.slice(0, half)) execFileSync("cansend", ["vcan0", line(frame)]);
      const file = join(dir, "frames.log");
      writeFileSync(file, truth.slice(half).map((f, i) =>
        `(${1_700_000_000 + i}.000000) vcan0 ${line(f)}\n`).join(""));
      // -t: no waits between frames; canplayer still sends them one by one, in order.
      await run("canplayer", ["-t", "-I", file]);

      const expected = truth.flatMap((f) => Object.entries(f.physical).map(([signal, value]) =>
        ({ message: f.message, signal, value })));
      await sink.received(expected.length);
      // Per signal, its values in the order the frames were sent (the pipeline orders a
      // message's signals as the DBC lists them, the reference as cantools does).
      const bySignal = (rows: { message: string; signal: string; value: number }[]) => {
        const out = new Map<string, number[]>();
        for (const r of rows) {
          const key = `${r.message}.${r.signal}`;
          out.set(key, [...(out.get(key) ?? []), r.value]);
        }
        return out;
      };
      const got = bySignal(sink.samples);
      const want = bySignal(expected);
      expect(sink.samples).toHaveLength(expected.length);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [key, values] of want) {
        const seen = got.get(key) ?? [];
        expect(seen, key).toHaveLength(values.length);
        values.forEach((v, i) => expect(seen[i], key).toBeCloseTo(v, 9));
      }
      expect(sink.samples.every((s) => s.bus === "vcan0")).toBe(true);
    } finally {
      await pipeline.stop();
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
