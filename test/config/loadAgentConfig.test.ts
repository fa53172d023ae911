import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../config/ConfigError.js";
import { loadAgentConfig } from "../../config/loadAgentConfig.js";
import { sampleBodyMap } from "../../config/sampleBodyMap.js";

describe("loadAgentConfig", () => {
  let dir: string;
  const write = async (name: string, content: unknown) => {
    const file = join(dir, name);
    await writeFile(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "roadrig-config-"));
    await mkdir(join(dir, "certs"));
    for (const f of ["car.pem", "car.key", "root.pem"]) await writeFile(join(dir, "certs", f), "");
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads an IoT Core configuration, with paths relative to the file", async () => {
    const file = await write("iot.json", { thing: "car-7", shadowName: "body",
      mqtt: { transport: "iot-core", endpoint: "example-ats.iot.eu-west-1.amazonaws.com",
        cert: "certs/car.pem", key: "certs/car.key", ca: "certs/root.pem" },
      can: { bus: "socketcan:can1" } });
    const config = await loadAgentConfig(file, {});
    expect(config).toMatchObject({ thing: "car-7", shadowName: "body",
      mqtt: { transport: "iot-core", cert: join(dir, "certs/car.pem"),
        key: join(dir, "certs/car.key"), ca: join(dir, "certs/root.pem") },
      can: { bus: "socketcan:can1", channel: "can1" } });
    expect(config.body).toBe(sampleBodyMap);
    expect(config.embedded).toBeUndefined();
  });

  it("lists every problem with its path, expectation, finding and place", async () => {
    const json = { mqtt: { transport: "amqp", url: 5 }, requestTimeoutMs: "soon", body: [] };
    const file = await write("bad.json", json);
    const column = (text: string) => JSON.stringify(json).indexOf(text) + 1;
    const error = await loadAgentConfig(file, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { path: "thing", expected: "a string", found: "nothing", line: 1, column: 1 },
      { path: "mqtt.transport", expected: '"iot-core" or "mqtt"', found: 'string "amqp"',
        line: 1, column: column('"amqp"') },
      { path: "requestTimeoutMs", expected: "an integer >= 1", found: 'string "soon"',
        line: 1, column: column('"soon"') },
      { path: "body", expected: '"sample" or a body map { fields, interlock }', found: "a list",
        line: 1, column: column("[]") },
    ]);
  });

  it("reads YAML, and names the file and line when it does not parse", async () => {
    const yaml = await write("agent.yaml", "thing: car-7\nmqtt:\n  transport: mqtt\n" +
      "  url: mqtt://127.0.0.1:1883\n");
    expect(await loadAgentConfig(yaml, {})).toMatchObject({ thing: "car-7",
      mqtt: { url: "mqtt://127.0.0.1:1883" }, body: sampleBodyMap });
    const file = await write("broken.json", "{ thing: ");
    await expect(loadAgentConfig(file, {})).rejects
      .toThrow(/broken\.json: 1 problem\(s\)\n {2}\(file\) \(line 1:\d+\): expected YAML/);
  });

  it("applies ROADRIG_AGENT__ variables over the file", async () => {
    const file = await write("env.yaml", "thing: car-7\nmqtt: { transport: mqtt, url: mqtt://a:1 }\n");
    const config = await loadAgentConfig(file, { ROADRIG_AGENT__THING: "car-8" });
    expect(config.thing).toBe("car-8");
  });
});
