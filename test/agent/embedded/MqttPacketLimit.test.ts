import { once } from "node:events";
import { connect } from "node:net";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import fc from "fast-check";
import { connectAsync } from "mqtt";
import { generate } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedShadowBroker } from "../../../agent/embedded/EmbeddedShadowBroker.js";
import {
  MAX_PACKET_BYTES, MqttPacketLimit, MqttPacketTooLargeError,
} from "../../../agent/embedded/MqttPacketLimit.js";

/** Feeds `bytes` to a limit in the given chunk sizes; what came out, or the error. */
async function through(bytes: Buffer, cuts: readonly number[], limit?: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const size of cuts) {
    if (at >= bytes.length) break;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  if (at < bytes.length) chunks.push(bytes.subarray(at));
  return buffer(Readable.from(chunks).pipe(new MqttPacketLimit(limit)));
}

function publish(payloadBytes: number, topic = "t"): Buffer {
  return generate({ cmd: "publish", topic, payload: Buffer.alloc(payloadBytes, 7), qos: 0,
    dup: false, retain: false });
}

describe("MqttPacketLimit", () => {
  it("passes any run of packets within the limit unchanged, however the bytes are cut", async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 5000 }), { maxLength: 40 }),
      async (sizes, cuts) => {
        const stream = Buffer.concat([...sizes.map((n) => publish(n)),
          generate({ cmd: "pingreq" })]);
        expect((await through(stream, cuts)).equals(stream)).toBe(true);
      },
    ), { numRuns: 60 });
  });

  it("fails at the header of the first packet over the limit, naming its offset and size", async () => {
    const first = publish(100);
    const stream = Buffer.concat([first, publish(5000)]);
    const failure = through(stream, [1, 1, 1, 1, 200], 1000);
    await expect(failure).rejects.toBeInstanceOf(MqttPacketTooLargeError);
    await expect(failure).rejects.toMatchObject({ offset: first.length, limit: 1000 });
    await expect(failure).rejects.toThrow(`byte ${first.length}: packet of 5003 bytes`);
  });

  it("refuses a remaining length of more than four bytes", async () => {
    const stream = Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]);
    await expect(through(stream, [])).rejects.toThrow(/longer than 4 bytes/);
  });

  it("takes a packet of exactly the limit", async () => {
    const packet = publish(100);
    const limit = packet.length - 2;
    expect((await through(packet, [3], limit)).equals(packet)).toBe(true);
    await expect(through(packet, [3], limit - 1)).rejects.toThrow(/announced/);
  });
});

describe("the embedded broker with a client announcing a huge packet", () => {
  let broker: EmbeddedShadowBroker;

  beforeAll(async () => {
    broker = new EmbeddedShadowBroker({ port: 0 });
    await broker.start();
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it("closes that connection at the header, and serves the others", async () => {
    const socket = connect(Number(new URL(broker.url).port), "127.0.0.1");
    await once(socket, "connect");
    socket.write(generate({ cmd: "connect", clientId: "greedy", protocolId: "MQTT",
      protocolVersion: 4, clean: true, keepalive: 30 }));
    socket.resume();
    // A PUBLISH announcing 200 MB, of which only the header is ever sent.
    socket.write(Buffer.from([0x30, 0x80, 0x84, 0xaf, 0x5f]));
    await once(socket, "close");

    const client = await connectAsync(broker.url, { clientId: "modest", reconnectPeriod: 0 });
    await client.subscribeAsync("bulk/#", { qos: 1 });
    const got = new Promise<[string, Buffer]>((resolve) => {
      client.once("message", (topic, body) => resolve([topic, body]));
    });
    const payload = Buffer.alloc(MAX_PACKET_BYTES - 4096, 1);
    await client.publishAsync("bulk/one", payload, { qos: 1 });
    const [topic, body] = await got;
    await client.endAsync();
    expect(topic).toBe("bulk/one");
    expect(body.length).toBe(payload.length);
  });
});
