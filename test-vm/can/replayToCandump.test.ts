import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { dataPath, hasShared, truthPath } from "../../test/support/sharedData.js";
import { Candump, withoutFdf } from "../support/Candump.js";
import { lateness, type Lateness } from "../support/lateness.js";
import { truthLines } from "../support/truthLines.js";
import { inVm } from "../support/vm.js";

const run = promisify(execFile);
const MF4 = "api-examples__FCBF0606_00003482_00000001-60B621D9.MF4";
const LOG = "mdf4-converters__multiple_CAN.log";

async function replay(log: string, ...flags: string[]): Promise<{ frames: number }> {
  const { stdout } = await run("node", ["bin/roadrig.js", "replay", log,
    "--to", "socketcan:vcan0", "--json", "--no-progress", ...flags]);
  const summary = JSON.parse(stdout) as { outputs: { frames: number }[] };
  return { frames: summary.outputs[0]?.frames ?? -1 };
}

function printPacing(rows: [string, Lateness][]): void {
  const fmt = (n: number) => n.toFixed(2).padStart(8);
  const lines = rows.map(([who, l]) => `${who.padEnd(10)} ${fmt(l.p50)} ${fmt(l.p99)} ${fmt(l.max)}`);
  process.stdout.write(`\npacing on vcan0 (lateness ms, kernel receive times)\n` +
    `${"".padEnd(10)} ${"p50".padStart(8)} ${"p99".padStart(8)} ${"max".padStart(8)}\n` +
    `${lines.join("\n")}\n`);
}

describe.skipIf(!inVm || !hasShared)("roadrig replay to socketcan:vcan0, seen by candump", () => {
  it(`sends every frame of ${MF4} (29-bit J1939, two buses) bit-exact and in order`, async () => {
    const truth = truthLines(truthPath("mf4", `${MF4}.candump`));
    const dump = await Candump.start(["vcan0"]);
    const { frames } = await replay(dataPath("mf4", MF4), "--rate", "0");
    await dump.received(truth.length);
    const seen = await dump.stop();
    expect(frames).toBe(truth.length);
    expect(seen.map((l) => l.frame)).toEqual(truth.map((l) => l.frame));
    expect(seen.every((l) => l.frame.length > 9 && l.frame.charAt(8) === "#")).toBe(true);
  });

  it(`replays ${LOG} (classic and FD, BRS, 11/29-bit) exactly and paced; canplayer beside`,
    async () => {
      const truth = truthLines(truthPath("canlog", `${LOG}.candump`));
      const recorded = truth.map((l) => l.timeUs);

      const ours = await Candump.start(["vcan0"]);
      const { frames } = await replay(dataPath("canlog", LOG));
      await ours.received(truth.length);
      const seen = await ours.stop();
      expect(frames).toBe(truth.length);
      expect(seen.map((l) => withoutFdf(l.frame))).toEqual(truth.map((l) => l.frame));
      expect(seen.filter((l) => l.frame.includes("##")).length).toBe(128);

      // canplayer replays the same frames, written as a candump log onto vcan0.
      const dir = mkdtempSync(join(tmpdir(), "roadrig-vm-"));
      const file = join(dir, "same-frames.log");
      writeFileSync(file, truth.map((l) =>
        `(${l.timeUs / 1_000_000n}.${String(l.timeUs % 1_000_000n).padStart(6, "0")}) ` +
        `vcan0 ${l.frame}\n`).join(""));
      const theirs = await Candump.start(["vcan0"]);
      await run("canplayer", ["-I", file]);
      await theirs.received(truth.length);
      const played = await theirs.stop();
      expect(played.map((l) => withoutFdf(l.frame))).toEqual(truth.map((l) => l.frame));

      const roadrig = lateness(recorded, seen.map((l) => l.timeUs));
      const canplayer = lateness(recorded, played.map((l) => l.timeUs));
      printPacing([["roadrig", roadrig], ["canplayer", canplayer]]);
      // Paced, not flooded: the frames spread over the recorded span (a rate-0 burst would
      // take a few ms), and none is a second behind even under emulation.
      const span = (t: readonly bigint[]) => Number((t[t.length - 1] as bigint) - (t[0] as bigint));
      expect(span(seen.map((l) => l.timeUs))).toBeGreaterThan(0.9 * span(recorded));
      expect(roadrig.max).toBeLessThan(1000);
    });
});
