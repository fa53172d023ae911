import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgent } from "../../agent/createAgent.js";
import type { AgentParts } from "../../agent/createAgent.js";
import { ShadowClient } from "../../agent/shadow/ShadowClient.js";
import { defaultAgentConfig } from "../../config/defaultAgentConfig.js";
import type { AgentConfig } from "../../config/AgentConfig.js";
import { connectNoDelay } from "./shadow/service/support/connectNoDelay.js";
import { ShadowWatcher } from "./support/ShadowWatcher.js";
import { freePort } from "../../bench/support/freePort.js";

describe("the embedded default agent, with its shadows kept in a directory", () => {
  let dir: string;
  let config: AgentConfig;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "roadrig-embedded-"));
    const base = defaultAgentConfig(await freePort());
    config = { ...base, embedded: { ...base.embedded!, stateDir: dir } };
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function started(): Promise<AgentParts> {
    const parts = await createAgent(config);
    const synced = once(parts.sync, "synced");
    await parts.agent.start();
    await synced;
    return parts;
  }

  it("opens the door, and after a restart reports the state the (new) ECU shows", async () => {
    const first = await started();
    const url = (config.mqtt as { url: string }).url;
    let app = await connectNoDelay(url);
    try {
      const watcher = new ShadowWatcher(app);
      await app.subscribeAsync("$aws/things/roadrig-sample/shadow/update/accepted", { qos: 1 });
      const shadow = new ShadowClient(app);
      const opened = watcher.reported("door", "open");
      await shadow.update("roadrig-sample", { state: { desired: { door: "open" } } });
      await opened;
      expect(first.ecu?.state("door")).toBe("open");
      shadow.close();
    } finally {
      await app.endAsync();
      await first.agent.stop();
    }

    // The simulated ECU starts closed again; the stored shadow still says open.
    const second = await started();
    app = await connectNoDelay(url);
    try {
      const document = await new ShadowClient(app).get("roadrig-sample");
      expect(document.state?.reported).toMatchObject({ door: "closed" });
      expect(document.version).toBeGreaterThan(2);
    } finally {
      await app.endAsync();
      await second.agent.stop();
    }
  });
});

