import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { casePath, dataPath, hasShared, truthPath } from "../support/sharedData.js";
import { buildCli, roadrig } from "./cliHarness.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-inspect-"));
beforeAll(buildCli, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  format: string;
  start: string;
  durationSeconds: number;
  frames: number;
  finalized: boolean | null;
  channels: { name: string; frames: number; ids: Record<string, number> }[];
}

describe("roadrig inspect", () => {
  it("reports format, start, duration and frames per channel and ID of a candump log", async () => {
    const path = join(dir, "a.log");
    writeFileSync(
      path,
      "(1700000000.000000) can0 123#01\n(1700000000.250000) can0 123#02\n" +
        "(1700000001.500000) can1 18DAF101#03\n",
    );
    const result = await roadrig(["inspect", path, "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.format).toBe("candump");
    expect(report.start).toBe("2023-11-14T22:13:20.000Z");
    expect(report.durationSeconds).toBe(1.5);
    expect(report.frames).toBe(3);
    expect(report.channels).toEqual([
      { name: "can0", frames: 2, messages: 0, ids: { "0x123": 2 } },
      { name: "can1", frames: 1, messages: 0, ids: { "0x18DAF101": 1 } },
    ]);
    const text = await roadrig(["inspect", path]);
    expect(text.stdout).toMatch(/^format\s+candump/m);
    expect(text.stdout).toMatch(/^ {4}0x123 {2}2$/m);
  });

  it("exits 1 for a file of unknown format", async () => {
    const path = join(dir, "b.bin");
    writeFileSync(path, Buffer.from([0, 1, 2, 3]));
    const result = await roadrig(["inspect", path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/expected one of/);
  });
});

describe.skipIf(!hasShared)("roadrig inspect on the shared logs", () => {
  it("prints an MCAP's report as JSON, its nanosecond times as decimal strings", async () => {
    const result = await roadrig(["inspect", casePath("mcap-1735", "no_message_index.mcap"), "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { messages: number; details: { startNs: string } };
    expect(report.messages).toBe(6);
    expect(report.details.startNs).toBe("1000000000");
  });

  it("lists the channels of a signal group, master first, as JSON and as text", async () => {
    const path = casePath("asammdf-727", "finalized.mf4");
    const result = await roadrig(["inspect", path, "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      groups: { kind: string; count: number; channels: { name: string; master: boolean }[] }[];
    };
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]).toMatchObject({ kind: "signals", count: 200 });
    expect(report.groups[0]?.channels.map((c) => [c.name, c.master])).toEqual([
      ["t", true], ["value", false],
    ]);
    const text = await roadrig(["inspect", path]);
    expect(text.stdout).toMatch(/^ {4}t {2}float-le, 64 bits, master$/m);
    expect(text.stdout).toMatch(/^ {4}value {2}uint-le, 8 bits$/m);
  });

  it("counts an unfinalized signal file's 200 samples and its 1.99 s, not its stale 0 cycles",
    async () => {
      for (const name of ["finalized.mf4", "unfinalized.mf4"]) {
        const path = casePath("asammdf-727", name);
        const result = await roadrig(["inspect", path, "--json"]);
        expect(result.code).toBe(0);
        const report = JSON.parse(result.stdout) as {
          durationSeconds: number;
          groups: { count: number; samples: number }[];
        };
        expect(report.groups[0]?.samples).toBe(200);
        expect(report.durationSeconds).toBeCloseTo(1.99, 9);
      }
      const text = await roadrig(["inspect", casePath("asammdf-727", "unfinalized.mf4")]);
      expect(text.stdout).toMatch(/signals {2}200 samples \(file declares 0\)$/m);
      expect(text.stdout).toMatch(/^duration {5}1\.990000 s$/m);
    });

  it("gives a signal file's span from its master channel, as the reference's first and last",
    async () => {
      const file = "GoMDF__sample1.mf4";
      const result = await roadrig(["inspect", dataPath("mf4", file), "--json"]);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as {
        durationSeconds: number;
        groups: { samples: number }[];
      };
      const truth = JSON.parse(readFileSync(truthPath("mf4", `${file}.json`), "utf8")) as {
        groups: { samples: number; time_first: number; time_last: number }[];
      };
      expect(report.groups.map((g) => g.samples)).toEqual(truth.groups.map((g) => g.samples));
      const first = Math.min(...truth.groups.map((g) => g.time_first));
      const last = Math.max(...truth.groups.map((g) => g.time_last));
      expect(report.durationSeconds).toBeCloseTo(last - first, 6);
    });

  it("counts an unfinalized CANedge MF4's frames per bus as the reference does", async () => {
    const file = "api-examples__2F6913DB_00000004_00000001.MF4";
    const result = await roadrig(["inspect", dataPath("mf4", file), "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    const truth = JSON.parse(readFileSync(truthPath("mf4", `${file}.json`), "utf8")) as {
      frames_total: number;
      frames_per_bus: Record<string, number>;
    };
    expect(report.format).toBe("mdf4");
    expect(report.finalized).toBe(false);
    expect(report.frames).toBe(truth.frames_total);
    const perBus = Object.fromEntries(report.channels.map((c) => [c.name, c.frames]));
    expect(perBus).toEqual(truth.frames_per_bus);
  });
});
