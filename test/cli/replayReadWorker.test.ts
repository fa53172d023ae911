import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataPath, hasShared } from "../support/sharedData.js";
import { buildCli, roadrig, roadrigWatched, type CliResult } from "./cliHarness.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-cli-worker-"));
beforeAll(buildCli, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function candumpLog(name: string, count: number, hz: number, bad?: number): string {
  const lines = Array.from({ length: count }, (_, i) => {
    const us = Math.round((i * 1e6) / hz);
    const time = `${1_700_000_000 + Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, "0")}`;
    return `(${time}) can${i % 2} ${(0x100 + (i % 32)).toString(16)}#${(i & 0xff).toString(16)
      .padStart(2, "0")}`;
  });
  if (bad !== undefined) lines.splice(bad, 0, "(1700000000.5) can0 123#GG");
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** Runs roadrig and calls `then` once the replay has started (its signal handlers are set). */
function onceStarted(args: string[], then: (child: ChildProcess) => void): Promise<CliResult> {
  let started = false;
  return roadrigWatched(args, {}, (stderr, child) => {
    if (started || !stderr.includes("replay started")) return;
    started = true;
    then(child);
  });
}

/** Resolves once process `pid` has used `seconds` of CPU (Linux /proc; user + system). */
async function cpuSecondsReach(pid: number, seconds: number): Promise<void> {
  for (;;) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, in clock ticks of 1/100 s.
    if ((Number(fields[11]) + Number(fields[12])) / 100 >= seconds) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The same replay with the read worker on and off. */
async function bothWays(args: string[]) {
  const on = await roadrig([...args, "--read-worker"]);
  const off = await roadrig([...args, "--no-read-worker"]);
  return { on, off };
}

function summary(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split("\n").pop() as string) as Record<string, unknown>;
}

describe.skipIf(!hasShared)("roadrig replay with and without the read worker", () => {
  it.each([
    ["a candump log", "canlog/mdf4-converters__multiple_CAN.log", "0"],
    ["a candump log, paced", "canlog/ICSim__sample-can.log", "50"],
    ["a CANedge MF4, paced", "mf4/api-examples__2F6913DB_00000004_00000001.MF4", "1000"],
    ["an ASC log", "canlog/python-can__logfile.asc", "0"],
  ])("writes byte-identical candump output for %s", async (_, file, rate) => {
    const { on, off } = await bothWays(["replay", dataPath(file), "--to", "candump:-",
      "--rate", rate]);
    expect(off.code).toBe(0);
    expect(on.code).toBe(0);
    expect(off.stdout.length).toBeGreaterThan(0);
    expect(on.stdout).toBe(off.stdout);
  });

  it("counts a bag's messages the same way", async () => {
    const args = ["replay", dataPath("bag/rosbag.js__example.bag"), "--rate", "0", "--json",
      "--to", `candump:${join(dir, "bag.log")}`];
    const { on, off } = await bothWays(args);
    const pick = (s: Record<string, unknown>) => [s.frames, s.skippedMessages, s.origin];
    expect(pick(summary(on.stdout))).toEqual(pick(summary(off.stdout)));
    expect(summary(on.stdout).skippedMessages).toBeGreaterThan(0);
  });
});

describe("roadrig replay with the read worker", () => {
  it("replays the frames before a bad line, then exits 1 with the same error", async () => {
    const path = candumpLog("bad.log", 3000, 100_000, 2500);
    const { on, off } = await bothWays(["replay", path, "--to", "candump:-", "--rate", "0"]);
    expect(off.code).toBe(1);
    expect(on.code).toBe(1);
    expect(on.stdout).toBe(off.stdout);
    expect(on.stdout.trim().split("\n")).toHaveLength(2500);
    const error = (stderr: string) => /line 2501[^"\n]*/.exec(stderr)?.[0];
    expect(error(off.stderr)).toBeDefined();
    expect(error(on.stderr)).toBe(error(off.stderr));
  });

  it("stops cleanly on SIGTERM in a paced replay, with its summary, and exits as the signal", async () => {
    const path = candumpLog("long.log", 600, 10);
    const out = join(dir, "sigterm.log");
    const result = await onceStarted(["replay", path, "--to", `candump:${out}`, "--json",
      "--read-worker"], (child) => child.kill("SIGTERM"));
    // 128 + 15: the shell sees the run was interrupted, once it has said what it played.
    expect(result.code).toBe(143);
    const played = summary(result.stdout);
    expect(played.stopped).toBe(true);
    expect(played.signal).toBe("SIGTERM");
    expect(played.frames).toBeLessThan(600);
    const lines = readFileSync(out, "utf8").split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(played.frames as number);
  });

  it("stops on SIGINT at once in a dense paced replay (5,000 frames/s), whose waits all spin", async () => {
    // Every gap (200 µs) is shorter than a turn of the event loop was waited for: once the
    // replay was under way, the signal waited for the end of the run, 20 s. A virtual bus
    // never waits either (a SocketCAN send does not).
    const path = candumpLog("dense.log", 100_000, 5_000);
    let killedAt = Infinity;
    const result = await onceStarted(["replay", path, "--to", "virtual:null", "--json"],
      (child) => {
        // Under way: the pacer spins, so a second of its CPU time is a second of the run.
        void cpuSecondsReach(child.pid as number, 1).then(() => {
          killedAt = performance.now();
          child.kill("SIGINT");
        });
      });
    expect(result.code).toBe(130);
    expect(performance.now() - killedAt).toBeLessThan(5000);
    const played = summary(result.stdout);
    expect(played.stopped).toBe(true);
    expect(played.signal).toBe("SIGINT");
    expect(played.frames).toBeLessThan(100_000);
  }, 60_000);
});
