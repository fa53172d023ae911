import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { registerDbcCommand } from "../../cli/dbcCommand.js";
import { dataPath, hasShared, truthPath } from "../support/sharedData.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-dbc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const DBC = `VERSION ""
BS_:
BU_: ECU
BO_ 496 ExampleMessage: 8 ECU
 SG_ Enable : 7|1@0+ (1,0) [0|0] "-" ECU
 SG_ Temperature : 0|12@0- (0.01,250) [229.52|270.47] "degK" ECU
BO_ 2147483905 Big: 8 ECU
 SG_ Odo : 0|64@1+ (1,0) [0|0] "" ECU
VAL_ 496 Enable 0 "Disabled" 1 "Enabled" ;
`;

/** Runs `roadrig dbc ...args` in-process and returns what it wrote to stdout. */
async function run(...args: string[]): Promise<string> {
  let out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  const program = new Command("roadrig").exitOverride();
  registerDbcCommand(program);
  await program.parseAsync(["dbc", ...args], { from: "user" });
  return out;
}

describe("roadrig dbc decode", () => {
  const dbcPath = join(dir, "example.dbc");
  const logPath = join(dir, "example.log");
  writeFileSync(dbcPath, DBC);
  writeFileSync(
    logPath,
    "(1700000000.000000) can0 1F0#800F000000000000\n" +
      "(1700000000.100000) can0 123#01\n" +
      "(1700000000.200000) can1 00000101#FFFFFFFFFFFFFF7F\n",
  );

  it("prints each candump line with its decoded signals, labels and units", async () => {
    const lines = (await run("decode", dbcPath, logPath)).trimEnd().split("\n");
    expect(lines).toEqual([
      "(1700000000.000000) can0 1F0#800F000000000000 :: " +
        "ExampleMessage(Enable: Enabled, Temperature: 251.2 degK)",
      "(1700000000.100000) can0 123#01",
      "(1700000000.200000) can1 00000101#FFFFFFFFFFFFFF7F :: Big(Odo: 9223372036854775807)",
    ]);
  });

  it("prints one JSON object per frame with --json, big raws as exact strings", async () => {
    const lines = (await run("decode", dbcPath, logPath, "--json")).trimEnd().split("\n");
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects).toHaveLength(3);
    expect(objects[0]).toMatchObject({
      channel: "can0", id: 0x1f0, extended: false, message: "ExampleMessage",
      signals: {
        Enable: { value: 1, raw: 1, unit: "-", label: "Enabled" },
        Temperature: { raw: 120, value: 251.2, unit: "degK" },
      },
    });
    expect(objects[1]).toMatchObject({ id: 0x123, message: null, signals: {} });
    expect(objects[2]).toMatchObject({
      message: "Big",
      signals: { Odo: { value: "9223372036854775807", raw: "9223372036854775807" } },
    });
  });
});

describe("roadrig dbc show", () => {
  const dbcPath = join(dir, "show.dbc");
  writeFileSync(dbcPath, DBC);

  it("summarizes messages and signals as JSON", async () => {
    const summary = JSON.parse(await run("show", dbcPath, "--json")) as {
      messages: { id: string; name: string; signals: { name: string; layout: string }[] }[];
    };
    expect(summary.messages.map((m) => [m.id, m.name])).toEqual([
      ["0x1F0", "ExampleMessage"],
      ["0x00000101", "Big"],
    ]);
    expect(summary.messages[0]?.signals.map((s) => s.layout)).toEqual(["7|1@0+", "0|12@0-"]);
  });

  it("summarizes them as text", async () => {
    const text = await run("show", dbcPath);
    expect(text).toMatch(/^.*show\.dbc: 2 messages, 3 signals, nodes ECU$/m);
    expect(text).toContain("0x1F0 ExampleMessage [8] std");
    expect(text).toContain('  Temperature 0|12@0- (0.01,250) [229.52|270.47] "degK"');
  });
});

describe.skipIf(!hasShared)("roadrig dbc decode on recorded J1939 lines", () => {
  it("decodes the reference candump lines by PGN to the reference values", async () => {
    const name = "api-examples__CSS-Electronics-SAE-J1939-DEMO.dbc";
    const truth = JSON.parse(readFileSync(truthPath("dbc", `${name}.decoded.json`), "utf8")) as {
      frames: { input: { candump_line: string }; message: string; physical: object }[];
    };
    const log = join(dir, "j1939.log");
    writeFileSync(log, truth.frames.map((f) => `${f.input.candump_line}\n`).join(""));
    const lines = (await run("decode", dataPath("dbc", name), log, "--json")).trimEnd().split("\n");
    expect(lines).toHaveLength(truth.frames.length);
    lines.forEach((line, i) => {
      type Line = { message: string; signals: Record<string, { value: number }> };
      const got = JSON.parse(line) as Line;
      const expected = truth.frames[i];
      expect(got.message).toBe(expected?.message);
      const values = Object.fromEntries(Object.entries(got.signals).map(([k, v]) => [k, v.value]));
      expect(values).toEqual(expected?.physical);
    });
  });
});
