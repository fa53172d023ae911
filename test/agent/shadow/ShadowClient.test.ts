import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShadowClient } from "../../../agent/shadow/ShadowClient.js";
import { ShadowTimeoutError } from "../../../agent/shadow/ShadowTimeoutError.js";
import type { TestBroker } from "./service/support/brokers.js";
import { startAedes } from "./service/support/brokers.js";
import { connectNoDelay } from "./service/support/connectNoDelay.js";
import { ShadowRig } from "./service/support/ShadowRig.js";

describe("ShadowClient", () => {
  let broker: TestBroker;
  let rig: ShadowRig;

  beforeAll(async () => {
    broker = await startAedes();
    rig = await ShadowRig.start(broker.url);
  });

  afterAll(async () => {
    await rig?.stop();
    await broker?.stop();
  });

  it("matches concurrent answers to their requests by clientToken", async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      rig.shadow.update(`car-${i % 3}`, { state: { reported: { i } } }, {
        clientToken: `req-${i}`,
      })));
    expect(answers.map((a) => a.clientToken)).toEqual(answers.map((_, i) => `req-${i}`));
    expect(answers.map((a) => a.state)).toEqual(answers.map((_, i) => ({ reported: { i } })));
    const versions = answers.filter((_, i) => i % 3 === 0).map((a) => a.version);
    expect(versions.slice().sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("makes a clientToken when the caller gives none", async () => {
    const accepted = await rig.shadow.update("tokenless", { state: { reported: { a: 1 } } });
    expect(accepted.clientToken).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("fails with ShadowTimeoutError when no service answers", async () => {
    const lonely = await startAedes();
    const client = await connectNoDelay(lonely.url);
    const shadow = new ShadowClient(client, { timeoutMs: 50 });
    try {
      const error = await shadow.get("nobody", { clientToken: "q" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ShadowTimeoutError);
      expect((error as ShadowTimeoutError).message)
        .toBe("$aws/things/nobody/shadow/get: no answer to get (clientToken q) in 50 ms");
    } finally {
      shadow.close();
      await client.endAsync();
      await lonely.stop();
    }
  });
});
