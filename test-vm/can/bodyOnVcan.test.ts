import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { encodeWithDefaults } from "../../agent/body/encodeWithDefaults.js";
import { createAgent } from "../../agent/createAgent.js";
import { ShadowClient } from "../../agent/shadow/ShadowClient.js";
import { freePort } from "../../bench/support/freePort.js";
import { defaultAgentConfig } from "../../config/defaultAgentConfig.js";
import { makeFrame } from "../../drivers/can/CanFrame.js";
import { SocketCanBus } from "../../drivers/can/socketcan/SocketCanBus.js";
import type { SocketCanState } from "../../drivers/can/socketcan/SocketCanState.js";
import { parseDbc } from "../../drivers/dbc/index.js";
import { connectNoDelay } from "../../test/agent/shadow/service/support/connectNoDelay.js";
import { ShadowWatcher } from "../../test/agent/support/ShadowWatcher.js";
import { Candump } from "../support/Candump.js";
import { inVm } from "../support/vm.js";

const hex = (data: Uint8Array) => Buffer.from(data).toString("hex").toUpperCase();

describe.skipIf(!inVm)("the agent's body control on socketcan:vcan0", () => {
  it("turns desired into a CAN command, a cansend status into reported, across a link bounce",
    async () => {
      const base = defaultAgentConfig(await freePort());
      const config = { ...base, can: { ...base.can, bus: "socketcan:vcan0" },
        embedded: { port: base.embedded!.port, simulatedEcu: false } };
      const dbc = parseDbc(readFileSync(config.dbc), { file: config.dbc });
      const parts = await createAgent(config);
      // The ESC: speed 0 ten times a second keeps the speed interlock fresh.
      const esc = SocketCanBus.open("vcan0");
      const speed = setInterval(() => esc.send(makeFrame(0xd0, new Uint8Array(8))), 100);
      const dump = await Candump.start(["vcan0,3B0:7FF,1FFFFFFE:1FFFFFFF"], ["-D"]);
      const synced = once(parts.sync, "synced");
      await parts.agent.start();
      await synced;
      const app = await connectNoDelay((config.mqtt as { url: string }).url);
      try {
        const watcher = new ShadowWatcher(app);
        await app.subscribeAsync(`$aws/things/${config.thing}/shadow/update/accepted`, { qos: 1 });
        const shadow = new ShadowClient(app);

        await shadow.update(config.thing, { state: { desired: { door: "open" } } });
        await dump.received(1);
        const command = encodeWithDefaults(dbc, "BodyCommand", { DoorFLRequest: 1 }, "can1");
        expect(dump.lines[0]?.frame).toBe(`3B0#${hex(command.data)}`);

        const opened = watcher.reported("door", "open");
        const status = (door: number) =>
          `3A0#${hex(encodeWithDefaults(dbc, "BodyStatus", { DoorFL: door }, "can1").data)}`;
        execFileSync("cansend", ["vcan0", status(1)]);
        await opened;

        // The link goes down and up under the running agent: its bus reopens and says so.
        const states: SocketCanState[] = [];
        const bus = parts.bus as SocketCanBus;
        const backUp = new Promise<void>((resolve) => bus.onState((e) => {
          states.push(e);
          if (e.state === "up") resolve();
        }));
        execFileSync("ip", ["link", "set", "vcan0", "down"]);
        execFileSync("ip", ["link", "set", "vcan0", "up"]);
        await backUp;
        expect(states.map((s) => s.state)).toEqual(["down", "up"]);

        const closed = watcher.reported("door", "closed");
        execFileSync("cansend", ["vcan0", status(0)]);
        await closed;
        shadow.close();
      } finally {
        clearInterval(speed);
        await app.endAsync();
        await dump.stop();
        await parts.agent.stop();
        await esc.close();
      }
    });
});
