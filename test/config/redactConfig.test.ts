import { describe, expect, it } from "vitest";
import { REDACTED, redactConfig, redactUrl } from "../../config/redactConfig.js";
import { replayProfilesSchema } from "../../config/schema/replayProfilesSchema.js";

describe("redactConfig", () => {
  const config = {
    thing: "car-1",
    mqtt: { transport: "iot-core", endpoint: "x.example", cert: "/c.pem", key: "/k.pem" },
    telemetry: {
      sinks: [
        { type: "mqtt", name: "m", url: "mqtt://127.0.0.1", username: "u", password: "pw" },
        { type: "kafka", name: "k", properties: { "bootstrap.servers": "127.0.0.1:9092",
          "sasl.username": "svc", "sasl.password": "pw", "ssl.key.location": "/k.pem",
          "ssl.key.password": "pw", "ssl.ca.location": "/ca.pem" } },
        { type: "iot-core", name: "i", certPath: "/c.pem", keyPath: "/k.pem" },
      ],
      identity: { vin: "V", hashSalt: "salt" },
    },
  };

  it("hides key paths, passwords, salts and Kafka's sasl and ssl key properties", () => {
    expect(redactConfig(config)).toEqual({
      ...config,
      mqtt: { ...config.mqtt, key: REDACTED },
      telemetry: {
        sinks: [
          { ...config.telemetry.sinks[0], password: REDACTED },
          { type: "kafka", name: "k", properties: { "bootstrap.servers": "127.0.0.1:9092",
            "sasl.username": REDACTED, "sasl.password": REDACTED,
            "ssl.key.location": REDACTED, "ssl.key.password": REDACTED,
            "ssl.ca.location": "/ca.pem" } },
          { ...config.telemetry.sinks[2], keyPath: REDACTED },
        ],
        identity: { vin: "V", hashSalt: REDACTED },
      },
    });
  });

  it("leaves the configuration it was given unchanged", () => {
    const copy = structuredClone(config);
    redactConfig(config);
    expect(config).toEqual(copy);
  });

  it("hides secrets under keys the schema does not know", () => {
    expect(redactConfig({ mqtt: { transport: "amqp", password: "pw", key: "/k.pem" } }))
      .toEqual({ mqtt: { transport: "amqp", password: REDACTED, key: REDACTED } });
  });

  it("redacts nothing in a profiles file that holds no secret", () => {
    const profiles = { profiles: { a: { to: ["candump:-"], results: "s3://b/p/" } } };
    expect(redactConfig(profiles, replayProfilesSchema)).toEqual(profiles);
  });

  it("hides the password in a URL's user information, wherever the URL is", () => {
    const redacted = redactConfig({
      mqtt: { transport: "mqtt", url: "mqtts://car-1:hunter2@broker.test:8883/x" },
      telemetry: { sinks: [{ type: "mqtt", url: "mqtt://u:p%40ss@127.0.0.1:1883" }] },
    });
    expect(redacted).toMatchObject({
      mqtt: { url: `mqtts://car-1:${REDACTED}@broker.test:8883/x` },
      telemetry: { sinks: [{ url: `mqtt://u:${REDACTED}@127.0.0.1:1883` }] },
    });
    expect(JSON.stringify(redacted)).not.toMatch(/hunter2|p%40ss/);
  });

  it("leaves a URL without a password as it is", () => {
    for (const url of ["mqtt://127.0.0.1:1883", "mqtt://user@host", "s3://b/k:v@x"]) {
      expect(redactUrl(url)).toBe(url);
    }
  });
});
