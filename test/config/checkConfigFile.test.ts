import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkConfigFile } from "../../config/checkConfigFile.js";
import type { ConfigProblem } from "../../config/ConfigError.js";
import { defaultAgentConfig } from "../../config/defaultAgentConfig.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "roadrig-check-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function check(text: string, name = "agent.yaml", files = false) {
  const file = join(dir, name);
  await writeFile(file, text);
  return checkConfigFile(file, { files });
}

const at = (problems: readonly ConfigProblem[], path: string) =>
  problems.filter((p) => p.path === path);

const base = `thing: car-1
mqtt: { transport: mqtt, url: "mqtt://127.0.0.1:1883" }
`;

describe("checkConfigFile", () => {
  it("lists every problem of a file at once, with path, expectation, finding and place", async () => {
    const { problems } = await check(`thing: car-1
mqtt:
  transport: mqtt
  url: ftp://example
reconect: {}
requestTimeoutMs: soon
telemetry:
  buses: [virtual:a, can0]
  streams:
    - name: s
      priority: 1
      sink: nowhere
      topic: t
      signals:
        - names: [VehicleSpeed]
        - names: [EngineSpeed]
          minIntervalMs: -4
  sinks:
    - { type: mqtt, name: up, url: "mqtt://127.0.0.1:1883" }
  spool: { dir: spool, fsync: sometimes }
health: { port: 70000 }
`);
    expect(problems.map((p) => [p.path, p.line, p.column])).toEqual([
      ["mqtt.url", 4, 8],
      ["reconect", 5, 1],
      ["requestTimeoutMs", 6, 19],
      ["telemetry.buses[1]", 8, 22],
      ["telemetry.streams[0].sink", 12, 13],
      ["telemetry.streams[0].signals[1].minIntervalMs", 17, 26],
      ["telemetry.spool.fsync", 20, 31],
      ["health.port", 21, 17],
    ]);
    expect(at(problems, "telemetry.streams[0].signals[1].minIntervalMs")[0]).toMatchObject({
      expected: "an integer >= 0", found: "number -4" });
    expect(at(problems, "requestTimeoutMs")[0]).toMatchObject({
      expected: "an integer >= 1", found: 'string "soon"' });
    expect(at(problems, "telemetry.spool.fsync")[0]?.expected)
      .toBe('"always" or "interval" or "never"');
    expect(at(problems, "telemetry.streams[0].sink")[0]?.expected)
      .toBe('the name of a sink ("up")');
  });

  it("names the key an unknown one most likely meant", async () => {
    const { problems } = await check(`${base}confirmTimeoutMS: 5\ncan: { buss: virtual:x }\n`);
    expect(problems).toEqual([
      { path: "confirmTimeoutMS", expected: '"confirmTimeoutMs" (did you mean?)',
        found: 'unknown key "confirmTimeoutMS"', line: 3, column: 1 },
      { path: "can.buss", expected: '"bus" (did you mean?)', found: 'unknown key "buss"',
        line: 4, column: 8 },
    ]);
  });

  it("reports a missing key at the map that lacks it", async () => {
    const { problems } = await check("thing: car-1\nmqtt:\n  transport: iot-core\n" +
      "  endpoint: x.example\n  cert: c.pem\n");
    expect(problems).toEqual([{ path: "mqtt.key", expected: "a path", found: "nothing",
      line: 3, column: 3 }]);
  });

  it("places a trigger's syntax error at its column inside the expression", async () => {
    const { problems } = await check(`${base}telemetry:
  buses: [virtual:a]
  streams:
    - name: s
      priority: 1
      sink: up
      topic: t
      triggers:
        - name: brake
          when: "VehicleSpeed > 5 && (BrakePedal > )"
          preMs: 100
          postMs: 100
  sinks: [{ type: mqtt, name: up, url: "mqtt://127.0.0.1:1883" }]
  spool: { dir: spool }
`);
    expect(problems).toHaveLength(1);
    // The closing parenthesis is at index 34 of the expression, behind the opening quote.
    expect(problems[0]).toMatchObject({ path: "telemetry.streams[0].triggers[0].when",
      expected: "a number, a signal or ( at column 35 of the expression", found: '")"',
      line: 12, column: 17 + 1 + 34 });
  });

  it("checks that trigger signals are signals of the DBC", async () => {
    const { problems } = await check(`${base}telemetry:
  buses: [virtual:a]
  streams:
    - name: s
      priority: 1
      sink: up
      topic: t
      triggers:
        - { name: x, when: VehicleSpeed > 5 and BrakePedl > 10, preMs: 1, postMs: 1 }
  sinks: [{ type: mqtt, name: up, url: "mqtt://127.0.0.1:1883" }]
  spool: { dir: spool }
`);
    expect(problems).toEqual([{ path: "telemetry.streams[0].triggers[0].when",
      expected: "a signal of the DBC at column 22 of the expression", found: '"BrakePedl"',
      line: 11, column: 28 + 21 }]);
  });

  it("checks the body map's messages and signals against the DBC", async () => {
    const { problems } = await check(`${base}body:
  fields:
    door:
      kind: enum
      command: { message: BodyCommand, values: { open: { DoorFLRequst: 1 } } }
      status: { message: BodyStatus, signal: DoorFL, values: { "0": closed } }
    window:
      kind: position
      min: 0
      max: 100
      command: { message: BodyCmd, signal: WindowFLTarget }
      status: { message: BodyStatus, signal: WindowXX, tolerance: 0.5 }
  interlock: { message: VehicleDynamics, signal: VehicleSpeed, maxSpeed: 3, maxAgeMs: 1000 }
`);
    expect(problems.map((p) => [p.path, p.expected, p.found, p.line])).toEqual([
      ["body.fields.door.command.values.open.DoorFLRequst", "a signal of BodyCommand",
        '"DoorFLRequst"', 7],
      ["body.fields.window.command.message", "a message of the DBC", '"BodyCmd"', 13],
      ["body.fields.window.status.signal", "a signal of BodyStatus", '"WindowXX"', 14],
    ]);
  });

  it("reports missing files as their own kind, only when files are checked", async () => {
    const text = `thing: car-1
mqtt: { transport: iot-core, endpoint: x.example, cert: certs/c.pem, key: certs/k.pem }
dbc: ${JSON.stringify(defaultAgentConfig().dbc)}
`;
    expect((await check(text, "files.yaml", false)).problems).toEqual([]);
    const { problems } = await check(text, "files.yaml", true);
    expect(problems.map((p) => [p.path, p.kind, p.found])).toEqual([
      ["mqtt.cert", "file", `none at ${join(dir, "certs/c.pem")}`],
      ["mqtt.key", "file", `none at ${join(dir, "certs/k.pem")}`],
    ]);
  });

  it("refuses a telemetry section beside embedded, where it would be ignored", async () => {
    const { problems } = await check(`${base}embedded: { port: 18830 }
telemetry:
  buses: [virtual:a]
  streams: [{ name: s, priority: 1, sink: up, topic: t }]
  sinks: [{ type: mqtt, name: up, url: "mqtt://127.0.0.1:1883" }]
  spool: { dir: spool }
`);
    expect(problems.map((p) => [p.path, p.found, p.line])).toEqual([["telemetry", "both", 4]]);
  });

  it("places a YAML syntax error at its line", async () => {
    const { problems } = await check("thing: car-1\nmqtt: { transport: mqtt\n");
    expect(problems[0]).toMatchObject({ path: "(file)", expected: "YAML", line: 3 });
  });

  it("reads JSON, which is YAML", async () => {
    const { problems, value } = await check(JSON.stringify({ thing: "car-1",
      mqtt: { transport: "mqtt", url: "mqtt://127.0.0.1:1883" } }), "agent.json");
    expect(problems).toEqual([]);
    expect(value).toMatchObject({ thing: "car-1", requestTimeoutMs: 5000,
      reconnect: { minDelayMs: 100, maxDelayMs: 5000 }, body: "sample" });
  });

  it("never shows a secret in a problem, even of the wrong type", async () => {
    const { problems } = await check(`${base}telemetry:
  buses: [virtual:a]
  streams: [{ name: s, priority: 1, sink: up, topic: t }]
  sinks: [{ type: mqtt, name: up, url: "mqtt://127.0.0.1:1883", password: 123456 }]
  spool: { dir: spool }
  identity: { vin: V, hashSalt: [salt-in-a-list] }
`);
    expect(problems.map((p) => p.found)).toEqual(["number (secret, not shown)",
      "a list (secret, not shown)"]);
  });

  it("tells a replay profiles file by its profiles key", async () => {
    const checked = await check("profiles:\n  fast: { to: candump:-, rate: fast }\n",
      "profiles.yaml");
    expect(checked.kind).toBe("replay-profiles");
    expect(checked.problems).toEqual([{ path: "profiles.fast.rate", expected: "a number >= 0",
      found: 'string "fast"', line: 2, column: 32 }]);
  });
});
