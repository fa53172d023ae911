import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkConfigFile } from "../../config/checkConfigFile.js";

let file: string;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "roadrig-env-"));
  file = join(dir, "agent.yaml");
  await writeFile(file, `thing: car-1
mqtt: { transport: mqtt, url: "mqtt://127.0.0.1:1883" }
telemetry:
  buses: [virtual:a]
  streams: [{ name: s, priority: 1, sink: up, topic: t }]
  sinks: [{ type: mqtt, name: up, url: "mqtt://127.0.0.1:1883" }]
  spool: { dir: spool }
`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const withEnv = (env: Record<string, string>) => checkConfigFile(file, { env, files: false });

describe("ROADRIG_AGENT__ environment overrides", () => {
  it("set keys of any depth, matched without case or underscores, values read as YAML", async () => {
    const { problems, value } = await withEnv({
      ROADRIG_AGENT__MQTT__URL: "mqtt://127.0.0.1:1884",
      ROADRIG_AGENT__REQUEST_TIMEOUT_MS: "8000",
      ROADRIG_AGENT__TELEMETRY__BUSES: "[virtual:a, virtual:b]",
      ROADRIG_AGENT__TELEMETRY__STREAMS__0__TOPIC: "fleet/{vehicle}",
      ROADRIG_AGENT__TELEMETRY__SPOOL__DIR: "/var/lib/roadrig/spool",
      ROADRIG_CACHE_DIR: "/not/a/config/key",
    });
    expect(problems).toEqual([]);
    expect(value).toMatchObject({
      mqtt: { url: "mqtt://127.0.0.1:1884" },
      requestTimeoutMs: 8000,
      telemetry: { buses: ["virtual:a", "virtual:b"], streams: [{ topic: "fleet/{vehicle}" }],
        spool: { dir: "/var/lib/roadrig/spool" } },
    });
  });

  it("checks overridden values like the file's and names the variable", async () => {
    const { problems } = await withEnv({
      ROADRIG_AGENT__REQUEST_TIMEOUT_MS: "soon",
      ROADRIG_AGENT__TELEMETRY__STREAMS__0__PRIORITY: "-1",
    });
    expect(problems).toEqual([
      { path: "requestTimeoutMs", variable: "ROADRIG_AGENT__REQUEST_TIMEOUT_MS",
        expected: "an integer >= 1", found: 'string "soon"' },
      { path: "telemetry.streams[0].priority",
        variable: "ROADRIG_AGENT__TELEMETRY__STREAMS__0__PRIORITY",
        expected: "an integer >= 0", found: "number -1" },
    ]);
  });

  it("skips empty variables, as unset", async () => {
    const { problems, value } = await withEnv({ ROADRIG_AGENT__SHADOW_NAME: "",
      ROADRIG_AGENT__NO_SUCH_KEY: "" });
    expect(problems).toEqual([]);
    expect(value.shadowName).toBeUndefined();
  });

  it("reports a variable whose keys match nothing", async () => {
    const { problems } = await withEnv({ ROADRIG_AGENT__MQTT__URLL: "mqtt://x" });
    expect(problems).toEqual([{ path: "mqtt.URLL", variable: "ROADRIG_AGENT__MQTT__URLL",
      expected: "a key of the configuration", found: 'no key matches "MQTT__URLL"' }]);
  });

  it("fills a section the file does not have", async () => {
    const { problems, value } = await withEnv({ ROADRIG_AGENT__HEALTH__PORT: "9464" });
    expect(problems).toEqual([]);
    expect(value.health).toEqual({ host: "127.0.0.1", port: 9464 });
  });

  it("appends to a list but refuses an index past its end, which would make a huge list", async () => {
    const { problems, value } = await withEnv({
      ROADRIG_AGENT__TELEMETRY__BUSES__1: "virtual:b",
      ROADRIG_AGENT__TELEMETRY__STREAMS__4294967294__TOPIC: "t",
    });
    expect(value.telemetry).toMatchObject({ buses: ["virtual:a", "virtual:b"] });
    expect((value.telemetry as { streams: unknown[] }).streams).toHaveLength(1);
    expect(problems).toEqual([{ path: "telemetry.streams[4294967294]",
      variable: "ROADRIG_AGENT__TELEMETRY__STREAMS__4294967294__TOPIC",
      expected: "a list index from 0 to 1",
      found: 'no key matches "TELEMETRY__STREAMS__4294967294__TOPIC"' }]);
  });

  it("says a number too large for a double is Infinity, not null", async () => {
    const { problems } = await withEnv({ ROADRIG_AGENT__REQUEST_TIMEOUT_MS: "1e400" });
    expect(problems).toEqual([{ path: "requestTimeoutMs",
      variable: "ROADRIG_AGENT__REQUEST_TIMEOUT_MS", expected: "an integer >= 1",
      found: "number Infinity" }]);
  });
});
