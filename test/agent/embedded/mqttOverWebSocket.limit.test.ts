import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { connectAsync } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedShadowBroker } from "../../../agent/embedded/EmbeddedShadowBroker.js";
import { MAX_PACKET_BYTES } from "../../../agent/embedded/MqttPacketLimit.js";
import {
  mqttOverWebSocket, type MqttWebSocketListener,
} from "../../../agent/embedded/mqttOverWebSocket.js";

let broker: EmbeddedShadowBroker;
let server: Server;
let listener: MqttWebSocketListener;
let port: number;

beforeAll(async () => {
  broker = new EmbeddedShadowBroker({ port: 0 });
  await broker.start();
  server = createServer((_req, res) => res.end());
  listener = mqttOverWebSocket(server, { path: "/mqtt", handle: (s) => broker.handle(s) });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await listener?.close();
  server?.close();
  await broker?.stop();
});

/** A client-to-server binary frame header announcing `length` bytes, mask key 0. */
function frameHeader(length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x82;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header; // bytes 10..13: the mask key, zeros (the payload goes as it is)
}

describe("MQTT over WebSocket with a client announcing a huge message", () => {
  it("closes that connection at the WebSocket header, before buffering the message, and serves the others",
    async () => {
      const socket = connect(port, "127.0.0.1");
      await once(socket, "connect");
      socket.write("GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n");
      socket.resume();
      const closed = once(socket, "close");
      // A message of 64 MiB announced, of which only a PUBLISH header announcing 200 MB is sent.
      socket.write(Buffer.concat([frameHeader(64 * 1024 * 1024),
        Buffer.from([0x30, 0x80, 0x84, 0xaf, 0x5f])]));
      await closed;

      const client = await connectAsync(`ws://127.0.0.1:${port}/mqtt`,
        { clientId: "modest", reconnectPeriod: 0 });
      await client.subscribeAsync("bulk/#", { qos: 1 });
      const got = new Promise<Buffer>((resolve) => {
        client.once("message", (_topic, body) => resolve(body));
      });
      const payload = Buffer.alloc(MAX_PACKET_BYTES - 4096, 1);
      await client.publishAsync("bulk/one", payload, { qos: 1 });
      const body = await got;
      await client.endAsync();
      expect(body.length).toBe(payload.length);
    });
});
