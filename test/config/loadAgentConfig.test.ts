import { mkdtemp, rm, writeFile } from "node:fs/promises";
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
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads an IoT Core configuration, with paths relative to the file", async () => {
    const file = await write("iot.json", { thing: "car-7", shadowName: "body",
      mqtt: { transport: "iot-core", endpoint: "example-ats.iot.eu-west-1.amazonaws.com",
        cert: "certs/car.pem", key: "certs/car.key", ca: "certs/root.pem" },
      can: { bus: "socketcan:can1" } });
    const config = await loadAgentConfig(file);
    expect(config).toMatchObject({ thing: "car-7", shadowName: "body",
      mqtt: { transport: "iot-core", cert: join(dir, "certs/car.pem"),
        key: join(dir, "certs/car.key"), ca: join(dir, "certs/root.pem") },
      can: { bus: "socketcan:can1", channel: "can1" } });
    expect(config.body).toBe(sampleBodyMap);
    expect(config.embedded).toBeUndefined();
  });

  it("lists every problem with its path, expectation and finding", async () => {
    const file = await write("bad.json", { mqtt: { transport: "amqp", url: 5 },
      requestTimeoutMs: "soon", body: [] });
    const error = await loadAgentConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { path: "thing", expected: "a string", found: "nothing" },
      { path: "mqtt.transport", expected: '"iot-core" or "mqtt"', found: '"amqp"' },
      { path: "mqtt.url", expected: "a string", found: "number 5" },
      { path: "requestTimeoutMs", expected: "a number", found: 'string "soon"' },
      { path: "body", expected: '"sample" or { fields, interlock }', found: "an array" },
    ]);
  });

  it("names the file when it is not JSON", async () => {
    const file = await write("broken.json", "{ thing: ");
    await expect(loadAgentConfig(file)).rejects.toThrow(/broken\.json: 1 problem\(s\)\n {2}\(file\): expected JSON/);
  });
});
