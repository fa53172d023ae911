import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { casePath, dataPath, hasShared, truthPath } from "../support/sharedData.js";
import { buildCli, roadrig } from "./cliHarness.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-cli-"));
beforeAll(buildCli, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LOG = [
  "(1700000000.000000) can0 123#0102",
  "(1700000000.010000) can1 18DAF101#AABB",
  "(1700000000.020000) can0 7FF#",
  "(1700000000.030000) can1 456#03",
].join("\n") + "\n";

function logFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("roadrig replay", () => {
  it("replays a candump log to candump:- unchanged, recorded times included", async () => {
    const result = await roadrig(["replay", logFile("a.log", LOG), "--to", "candump:-", "--rate", "0"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(LOG);
  });

  it("paces at the recorded rate (30 ms of log takes at least 30 ms)", async () => {
    const path = logFile("paced.log", LOG);
    const result = await roadrig(["replay", path, "--to", "virtual:cli", "--json"]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { frames: number; wallSeconds: number };
    expect(summary.frames).toBe(4);
    expect(summary.wallSeconds).toBeGreaterThanOrEqual(0.03);
  });

  it("prints a JSON summary with frames per output and lateness percentiles", async () => {
    const out = join(dir, "copy.log");
    const result = await roadrig([
      "replay", logFile("b.log", LOG), "--to", `candump:${out}`, "--to", "virtual:x",
      "--rate", "0", "--json",
    ]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary.frames).toBe(4);
    expect(summary.outputs).toEqual([
      { target: `candump:${out}`, frames: 4 },
      { target: "virtual:x", frames: 4 },
    ]);
    expect(summary.latenessUs).toMatchObject({ count: 0 });
    expect(readFileSync(out, "utf8")).toBe(LOG);
  });

  it("fails the run, naming the output, when the last write of a candump file fails (a full disk)", async () => {
    // /dev/full takes the open and refuses every write with ENOSPC: a 4-frame log stays in
    // the writer's buffer until the output closes, after the last frame.
    const result = await roadrig([
      "replay", logFile("full.log", LOG), "--to", "candump:/dev/full", "--rate", "0", "--json",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--to candump:/dev/full: ENOSPC");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("fails the run, naming the output, when a write of a candump file fails mid-run", async () => {
    // More than one 64 KiB write: the first refused write fails the replay while it runs.
    const many = Array.from({ length: 5000 }, (_, i) =>
      `(1700000000.${String(i * 100).padStart(6, "0")}) can0 123#0011223344556677\n`).join("");
    const result = await roadrig([
      "replay", logFile("full-many.log", many), "--to", "candump:/dev/full", "--rate", "0",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--to candump:/dev/full: ENOSPC");
  });

  it("puts the JSON summary on stderr when the frames go to stdout", async () => {
    const path = logFile("j.log", LOG);
    const result = await roadrig(["replay", path, "--to", "candump:-", "--rate", "0", "--json"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(LOG);
    const last = result.stderr.trim().split("\n").pop() as string;
    expect(JSON.parse(last)).toMatchObject({ frames: 4, outputs: [{ target: "candump:-", frames: 4 }] });
  });

  it("filters channels and IDs and maps channels", async () => {
    const path = logFile("c.log", LOG);
    const ids = await roadrig(["replay", path, "--to", "candump:-", "--rate", "0", "--id-filter", "100-1FF,7FF"]);
    expect(ids.stdout.trim().split("\n").map((l) => l.split(" ")[2])).toEqual(["123#0102", "7FF#"]);
    const mapped = await roadrig(["replay", path, "--to", "candump:-", "--rate", "0", "--map", "vcan0=can1"]);
    expect(mapped.stdout).toBe(
      "(1700000000.010000) vcan0 18DAF101#AABB\n(1700000000.030000) vcan0 456#03\n",
    );
    const channel = await roadrig(["replay", path, "--to", "candump:-", "--rate", "0", "--channel", "can0"]);
    expect(channel.stdout.trim().split("\n")).toHaveLength(2);
  });

  it("warns, and still exits 0, when the selection leaves no frame to replay", async () => {
    const path = logFile("none.log", LOG);
    const none = await roadrig(["replay", path, "--to", "candump:-", "--rate", "0",
      "--channel", "nope", "--log-format", "json"]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe("");
    expect(none.stderr).toContain('"msg":"no frame was replayed');
  });

  it("merges several logs by absolute time, with a per-source offset", async () => {
    const a = logFile("m1.log", "(1700000000.000000) can0 001#\n(1700000000.020000) can0 003#\n");
    const b = logFile("m2.log", "(1700000000.005000) can1 002#\n");
    const merged = await roadrig(["replay", a, b, "--to", "candump:-", "--rate", "0"]);
    expect(merged.stdout.match(/ (\w+)#/g)).toEqual([" 001#", " 002#", " 003#"]);
    const shifted = await roadrig(["replay", a, b, "--to", "candump:-", "--rate", "0", "--offset", "2=0.02"]);
    expect(shifted.stdout.match(/ (\w+)#/g)).toEqual([" 001#", " 003#", " 002#"]);
  });

  it("plays a window with --start and --duration, and loops with --loop", async () => {
    const path = logFile("w.log", LOG);
    const window = await roadrig([
      "replay", path, "--to", "candump:-", "--rate", "0", "--start", "0.01", "--duration", "0.01",
    ]);
    expect(window.stdout.trim().split("\n").map((l) => l.split(" ")[2])).toEqual(["18DAF101#AABB", "7FF#"]);
    const looped = await roadrig(["replay", path, "--to", "candump:-", "--rate", "0", "--loop", "3"]);
    expect(looped.stdout).toBe(LOG.repeat(3));
  });

  it.each([
    [["replay", "x.log"], /--to is required/],
    [["replay", "x.log", "--to", "candump:-", "--rate", "fast"], /--rate fast: expected a number/],
    [["replay", "x.log", "--to", "candump:-", "--rate", "1e-300"], /--rate 1e-300: expected 0/],
    [["replay", "x.log", "--to", "candump:-", "--rate", "1e7"], /--rate 1e7: expected 0/],
    [["replay", "x.log", "--to", "candump:-", "--rate", "0x10"], /--rate 0x10: expected a number/],
    [["replay", "x.log", "--to", "candump:-", "--start", "0b1"], /--start 0b1: expected a number/],
    [["replay", "x.log", "--to", "candump:-", "--duration", "0x1"], /--duration 0x1: expected seconds > 0/],
    [["replay", "x.log", "--to", "candump:-", "--loop", "0x3"], /--loop 0x3/],
    [["replay", "x.log", "--to", "candump:-", "--capture", "virtual:dut", "--capture-file",
      "c.log", "--capture-linger", "0x2"], /--capture-linger 0x2: expected seconds >= 0/],
    [["replay", "x.log", "--to", "candump:-", "--results", join(tmpdir(), "roadrig-refused-results"), "--results-timeout", "0b11"],
      /--results-timeout 0b11: expected seconds > 0/],
    [["replay", "x.log", "--to", "candump:-", "--to", "candump:-"], /--to candump:-: given twice/],
    [["replay", "x.log", "--to", "candump:-", "--duration", "0"], /--duration 0: expected seconds > 0/],
    [["replay", "x.log", "--to", "candump:-", "--id-filter", "xyz"], /--id-filter xyz/],
    [["replay", "x.log", "--to", "candump:-", "--map", "can1"], /--map can1: expected OUT=IN/],
    [["replay", "x.log", "--to", "candump:-", "--loop", "0"], /--loop 0/],
    [["replay", "x.log", "--to", "candump:-", "--time-jumps", "skip"], /--time-jumps skip/],
    [["replay", "x.log", "--to", "udp:1"], /--to udp:1: expected/],
    [["replay", "--bogus"], /unknown option/],
  ])("exits 2 on wrong usage: %j", async (args, message) => {
    const path = logFile("x.log", LOG);
    const result = await roadrig(args.map((a) => (a === "x.log" ? path : a)));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe("");
  });

  it("exits 1 naming the file and listing formats for an unknown format", async () => {
    const path = logFile("notalog.txt", "hello\n");
    const result = await roadrig(["replay", path, "--to", "candump:-"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("notalog.txt");
    expect(result.stderr).toMatch(/expected one of: MDF4/);
  });

  it("exits 1 naming the file for a missing log", async () => {
    const result = await roadrig(["replay", join(dir, "missing.log"), "--to", "candump:-"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ENOENT.*missing\.log/);
  });

  it.each(["s3://logs/", "s3://logs", "s3:///key.log"])(
    "refuses the malformed URL %s as wrong usage, before any request, without a stack trace",
    async (url) => {
      for (const rate of ["1", "0"]) {
        const result = await roadrig(["replay", url, "--to", "candump:-", "--rate", rate]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain(`${url}: missing`);
        expect(result.stderr).toContain("expected s3://bucket/key");
        expect(result.stderr).not.toContain("stack");
      }
      const inspect = await roadrig(["inspect", url]);
      expect(inspect.code).toBe(1);
      expect(inspect.stderr).toContain("expected s3://bucket/key");
      expect(inspect.stderr).not.toContain("stack");
    });

  it("exits 1 with the interface and the missing AF_CAN named for socketcan:vcan0 here", async () => {
    const result = await roadrig(["replay", logFile("s.log", LOG), "--to", "socketcan:vcan0"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/socketcan:vcan0/);
  });
});

describe.skipIf(!hasShared)("roadrig replay on the shared logs", () => {
  it.each([
    "mdf4-rs__29-bit-obd2.MF4",
    "api-examples__2F6913DB_00000004_00000001.MF4",
    "api-examples__3BA199E2_00000164_00000005-60FEB5A8.MF4",
  ])("prints every frame of the real MF4 %s as the reference lines", async (file) => {
    const result = await roadrig(["replay", dataPath("mf4", file), "--to", "candump:-", "--rate", "0"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(readFileSync(truthPath("mf4", `${file}.candump`), "utf8"));
  });

  it.each(["--no-read-worker", "--read-worker"])(
    "replays an unfinalized MF4 cut inside a record up to the cut and says so (%s)", async (mode) => {
      const file = "api-examples__2F6913DB_00000004_00000001.MF4";
      const whole = readFileSync(dataPath("mf4", file));
      const lines = readFileSync(truthPath("mf4", `${file}.candump`), "utf8").split("\n");
      // The logger stopped 3 bytes into a record, after 97 % of the file.
      const cut = logFile("cut.MF4", "");
      writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.97) + 3));
      const result = await roadrig(["replay", cut, "--to", "candump:-", "--rate", "0", mode]);
      expect(result.code).toBe(0);
      const got = result.stdout.split("\n").filter((l) => l !== "");
      expect(got.length).toBeGreaterThan(5000);
      expect(got.length).toBeLessThan(lines.length - 1);
      expect(got).toEqual(lines.slice(0, got.length));
      const warning = result.stderr.split("\n").filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { level: number; msg: string; block?: string })
        .find((e) => e.level === 40);
      expect(warning?.block).toBe("##DG");
      expect(warning?.msg).toMatch(new RegExp(`^${cut}: unfinalized log cut short: ##DG at byte ` +
        "\\d+ ends inside a record: 3 bytes left at data offset \\d+; the frames before it were replayed$"));
      // Once, however often the log is played.
      const looped = await roadrig(["replay", cut, "--to", "candump:-", "--rate", "0", "--loop", "3",
        mode]);
      expect(looped.stderr.match(/"level":40/g)).toHaveLength(1);
      const uncut = await roadrig(["replay", dataPath("mf4", file), "--to", "candump:-", "--rate", "0", mode]);
      expect(uncut.stderr).not.toMatch(/"level":40/);
    });

  it("stops at gap.log's backward jump by default, and re-anchors with --time-jumps reanchor", async () => {
    const gap = casePath("python-can-1646", "gap.log");
    const strict = await roadrig(["replay", gap, "--to", "candump:-", "--rate", "0"]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/gap\.log: record 5: .*backwards/);
    // The error's fields name the file and record; no byte offset where there is none.
    const error = strict.stderr.split("\n").filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { level: number; err?: Record<string, unknown> })
      .find((e) => e.level === 50);
    expect(error?.err).toMatchObject({ type: "FormatError", where: "record 5" });
    expect(error?.err).not.toHaveProperty("offset");
    const lenient = await roadrig(["replay", gap, "--to", "candump:-", "--rate", "0", "--time-jumps", "reanchor"]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toBe(readFileSync(gap, "utf8"));
  });
});
