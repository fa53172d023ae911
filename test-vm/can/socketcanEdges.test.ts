import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import type { CanFrame } from "../../drivers/can/CanFrame.js";
import { makeFrame } from "../../drivers/can/CanFrame.js";
import { SocketCanBus } from "../../drivers/can/socketcan/SocketCanBus.js";
import type { SocketCanState } from "../../drivers/can/socketcan/SocketCanState.js";
import { Candump } from "../support/Candump.js";
import { inVm } from "../support/vm.js";

const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { stdio: "pipe" });

/** Resolves with the frames a bus receives once `count` have come. */
function collect(bus: SocketCanBus, count: number): Promise<CanFrame[]> {
  const frames: CanFrame[] = [];
  return new Promise((resolve) => {
    const off = bus.onFrame((frame) => {
      frames.push(frame);
      if (frames.length === count) {
        off();
        resolve(frames);
      }
    });
  });
}

function nextState(bus: SocketCanBus, state: SocketCanState["state"]): Promise<SocketCanState> {
  return new Promise((resolve) => {
    const off = bus.onState((event) => {
      if (event.state !== state) return;
      off();
      resolve(event);
    });
  });
}

describe.skipIf(!inVm)("the socketcan driver on a real kernel", () => {
  const open: SocketCanBus[] = [];
  afterEach(async () => {
    await Promise.allSettled(open.splice(0).map((b) => b.close()));
    sh("ip", "link", "set", "vcan1", "up");
    execFileSync("sh", ["-c", "tc qdisc del dev vcan1 root 2>/dev/null || true"]);
  });

  it("lets only frames passing the kernel receive filters reach the process", async () => {
    const bus = SocketCanBus.open("vcan1", {
      filters: [{ id: 0x123, mask: 0x7ff }, { id: 0x18daf100, mask: 0x1fffff00, extended: true }],
    });
    open.push(bus);
    const got = collect(bus, 3);
    // 0x124 differs in ID; 00000123 is 29-bit with the same low bits; 0x18DAF200 misses the mask.
    for (const f of ["124#01", "00000123#02", "123#03", "18DAF200#04", "18DAF1F1#05", "123#R"]) {
      sh("cansend", "vcan1", f);
    }
    const frames = await got;
    expect(frames.map((f) => [f.id, f.extended, f.remote, [...f.data]])).toEqual([
      [0x123, false, false, [3]], [0x18daf1f1, true, false, [5]], [0x123, false, true, []],
    ]);
  });

  it("writes error frames onto vcan, as candump with an error mask shows, and reads them",
    async () => {
      const bus = SocketCanBus.open("vcan1");
      open.push(bus);
      const dump = await Candump.start(["vcan1,#1FFFFFFF"]);
      bus.send(makeFrame(0x004, Uint8Array.of(0, 0x08), { error: true }));
      await dump.received(1);
      expect((await dump.stop()).map((l) => l.frame)).toEqual(["20000004#0008000000000000"]);
      expect(bus.stats()).toMatchObject({ sent: 1, skippedErrorFrames: 0 });

      const got = collect(bus, 1);
      sh("cansend", "vcan1", "20000080#0000000000000000");
      const [error] = await got;
      expect(error).toMatchObject({ error: true, id: 0x80 });
    });

  it("refuses CAN FD frames on a classic-MTU interface as EINVAL, without retrying", () => {
    const bus = SocketCanBus.open("vcan1");
    open.push(bus);
    bus.send(makeFrame(0x10, new Uint8Array(12)));
    expect(bus.stats()).toMatchObject({ rejected: 1, queued: 0, refusedBy: { EINVAL: 1 } });
  });

  it("retries writes the full transmit queue refuses (ENOBUFS), in order, losing none",
    async () => {
      // vcan has no queue of its own: a token bucket that lets ~600 frames/s through and holds
      // four gives the interface the full transmit queue of a busy real controller.
      sh("tc", "qdisc", "add", "dev", "vcan1", "root", "tbf", "rate", "80kbit", "burst", "64",
        "limit", "64");
      const bus = SocketCanBus.open("vcan1");
      open.push(bus);
      const count = 200;
      const dump = await Candump.start(["vcan1"]);
      for (let i = 0; i < count; i++) bus.send(makeFrame(0x100 + (i % 0x100), Uint8Array.of(i)));
      await bus.drained();
      await dump.received(count);
      const seen = await dump.stop();
      const stats = bus.stats();
      process.stdout.write(`\nENOBUFS on a full queue: ${JSON.stringify(stats)}\n`);
      expect(stats.refusedBy.ENOBUFS).toBeGreaterThan(0);
      expect(stats).toMatchObject({ sent: count, dropped: 0, queued: 0 });
      expect(seen.map((l) => l.frame)).toEqual(Array.from({ length: count }, (_, i) =>
        `${(0x100 + (i % 0x100)).toString(16).toUpperCase()}#${i.toString(16).toUpperCase()
          .padStart(2, "0")}`));
    });

  it("holds frames while the interface is down, reopens it when it is up, and says so",
    async () => {
      const bus = SocketCanBus.open("vcan1", { reopenDelayMs: 20 });
      open.push(bus);
      // -D: candump keeps listening across the interface going down.
      const dump = await Candump.start(["vcan1"], ["-D"]);
      const wentDown = nextState(bus, "down");
      sh("ip", "link", "set", "vcan1", "down");
      await wentDown;
      bus.send(makeFrame(0x321, Uint8Array.of(0xaa)));
      expect(bus.stats()).toMatchObject({ down: true, queued: 1 });

      const cameUp = nextState(bus, "up");
      sh("ip", "link", "set", "vcan1", "up");
      expect(await cameUp).toMatchObject({ iface: "vcan1", queued: 1 });
      await dump.received(1);
      expect((await dump.stop()).map((l) => l.frame)).toEqual(["321#AA"]);
      const got = collect(bus, 1);
      sh("cansend", "vcan1", "322#BB");
      expect((await got)[0]).toMatchObject({ id: 0x322 });
      expect(bus.stats()).toMatchObject({ down: false, queued: 0, recoveries: 1 });
    });
});
