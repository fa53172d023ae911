import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Client } from "../../../replay/sources/createS3Client.js";
import { s3ClientOptionsFor } from "../../support/startS3rver.js";

let hung: Server;
const sockets = new Set<Socket>();

beforeAll(async () => {
  // Takes requests and never answers them, as a hung S3 endpoint does.
  hung = createServer((socket) => {
    sockets.add(socket);
    socket.on("data", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => hung.close(() => resolve()));
});

describe("createS3Client", () => {
  it("destroy() ends a request still waiting, retries included, and frees its socket",
    async () => {
      // The upload's client retries: the request that destroy() broke must not be sent again.
      const client = createS3Client({ maxAttempts: 4,
        ...s3ClientOptionsFor(`http://127.0.0.1:${(hung.address() as { port: number }).port}`) });
      let connections = 0;
      hung.on("connection", () => connections++);
      const connected = new Promise<Socket>((resolve) => hung.once("connection", resolve));
      const sent = client.send(new PutObjectCommand({ Bucket: "b", Key: "k", Body: "x" }))
        .then(() => "answered", (err: unknown) => err);
      const socket = await connected;
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      client.destroy();
      // Without that, the request (and the process that made it) waits for ever.
      expect(await sent).toBeInstanceOf(Error);
      await closed;
      expect(sockets.size).toBe(0);
      expect(connections).toBe(1);
    }, 10_000);
});
