import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { makeFrame } from "../../drivers/can/CanFrame.js";
import { VirtualBus } from "../../drivers/can/virtual/VirtualBus.js";
import { runReplay, type ReplayFlags } from "../../cli/replayCommand.js";
import { openLog } from "../../replay/formats/openLog.js";
import { RunRecord } from "../../replay/results/RunRecord.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-cli-capture-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Ten requests 7E0 on can0, 5 ms apart, tagged 0..9. */
const REQUESTS = Array.from({ length: 10 }, (_, i) =>
  `(1700000000.${String(i * 5000).padStart(6, "0")}) can0 7E0#${i.toString(16).padStart(2, "0")}\n`,
).join("");

function flags(captureFile: string): ReplayFlags {
  return {
    to: ["virtual:hil"], rate: "1", timeJumps: "error", offset: [], channel: [], idFilter: [],
    map: [], progress: false, capture: ["virtual:hil"], captureFilter: ["7E8"],
    captureFile, captureLinger: "0.2",
  };
}

describe("runReplay with --capture", () => {
  it("records the DUT's answers on the replayed bus, and the report's counts match the file",
    async () => {
      const log = join(dir, "requests.log");
      writeFileSync(log, REQUESTS);
      const dut = VirtualBus.endpoint("hil", "dut");
      dut.onFrame((frame) => {
        setImmediate(() => {
          dut.send(makeFrame(0x7e8, frame.data, { channel: "hil" }));
          dut.send(makeFrame(0x123, Uint8Array.of(0), { channel: "hil" }));
        });
      });
      const record = new RunRecord();
      const capturePath = join(dir, "answers.mf4");
      const summary = await runReplay([log], flags(capturePath), pino({ level: "silent" }), record);
      await dut.close();

      const reader = await openLog(capturePath);
      const tags: number[] = [];
      for await (const batch of reader.batches()) {
        for (const r of batch) if (r.kind === "frame") tags.push(r.frame.data[0] ?? -1);
      }
      await reader.close();
      expect(tags).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

      const report = record.report({
        runId: "r", startedAt: new Date(), endedAt: new Date(), options: {},
      });
      expect(summary.frames).toBe(10);
      expect(report.outputs).toEqual([
        { target: "virtual:hil", frames: 10, framesPerChannel: { can0: 10 } },
      ]);
      expect(report.capture).toMatchObject({
        frames: tags.length, filtered: 10, framesPerChannel: { hil: tags.length },
      });
      expect(report.sources).toEqual([{ name: log, format: "candump", size: REQUESTS.length }]);
    });
});
