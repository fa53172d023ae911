import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Client } from "../../../replay/sources/createS3Client.js";
import { startSilentServer, type SilentServer } from "../../support/silentServer.js";
import { s3ClientOptionsFor } from "../../support/startS3rver.js";

let hung: SilentServer;
beforeAll(async () => (hung = await startSilentServer()));
afterAll(() => hung.close());

describe("createS3Client", () => {
  it("destroy() ends a request still waiting, retries included, and frees its socket",
    async () => {
      // The upload's client retries: the request that destroy() broke must not be sent again.
      const client = createS3Client({ maxAttempts: 4, ...s3ClientOptionsFor(hung.endpoint) });
      let connections = 0;
      hung.server.on("connection", () => connections++);
      const connected = new Promise<Socket>((resolve) => hung.server.once("connection", resolve));
      const sent = client.send(new PutObjectCommand({ Bucket: "b", Key: "k", Body: "x" }))
        .then(() => "answered", (err: unknown) => err);
      const socket = await connected;
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      client.destroy();
      // Without that, the request (and the process that made it) waits for ever.
      expect(await sent).toBeInstanceOf(Error);
      await closed;
      expect(hung.openConnections()).toBe(0);
      expect(connections).toBe(1);
    }, 10_000);
});
