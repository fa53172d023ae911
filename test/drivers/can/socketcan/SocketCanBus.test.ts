import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeFrame } from "../../../../drivers/can/CanFrame.js";
import { writeFileSync } from "node:fs";
import type {
  AddonFilter, AddonMessage, RawChannel,
} from "../../../../drivers/can/socketcan/RawChannel.js";
import { SocketCanBus } from "../../../../drivers/can/socketcan/SocketCanBus.js";
import { SocketCanError } from "../../../../drivers/can/socketcan/SocketCanError.js";

const kernelRoot = mkdtempSync(join(tmpdir(), "roadrig-kernel-"));
afterAll(() => rmSync(kernelRoot, { recursive: true, force: true }));

function kernel(options: { afCan: boolean; ifaces: string[] }) {
  const root = mkdtempSync(join(kernelRoot, "k-"));
  const procNetCan = join(root, "proc-net-can");
  const sysClassNet = join(root, "sys-class-net");
  mkdirSync(sysClassNet);
  if (options.afCan) mkdirSync(procNetCan);
  for (const iface of options.ifaces) mkdirSync(join(sysClassNet, iface));
  return { procNetCan, sysClassNet };
}

/** A channel whose kernel refuses the first `refusals` writes. */
class FakeChannel implements RawChannel {
  readonly written: AddonMessage[] = [];
  listener: ((m: AddonMessage) => void) | undefined;
  onStopped: (() => void) | undefined;
  filters: AddonFilter[] | undefined;
  started = false;
  stopped = false;

  constructor(public refusals = 0) {}

  addListener(event: "onMessage" | "onStopped", callback: (m: AddonMessage) => void): void {
    if (event === "onMessage") this.listener = callback;
    else this.onStopped = () => callback({ id: 0, data: Buffer.alloc(0) });
  }
  setRxFilters(filters: AddonFilter[]): void {
    this.filters = filters;
  }
  start(): void {
    this.started = true;
  }
  stop(): void {
    this.stopped = true;
  }
  send(message: AddonMessage): number {
    if (this.refusals > 0) {
      this.refusals--;
      return -1;
    }
    this.written.push(message);
    return 16;
  }
  sendFD(message: AddonMessage): number {
    this.written.push({ ...message, fd_brs: message.fd_brs ?? false });
    return 72;
  }
}

/** Collects scheduled retries so the test fires them, in order, without sleeping. */
function manualTimer() {
  const pending: { callback: () => void; delayMs: number }[] = [];
  return {
    pending,
    schedule: (callback: () => void, delayMs: number) => void pending.push({ callback, delayMs }),
    fire: () => pending.shift()?.callback(),
  };
}

describe("SocketCanBus.open errors", () => {
  it.runIf(!existsSync("/sys/class/net/vcan0"))("through the real addon names the interface and the missing kernel support", () => {
    const error = (() => {
      try {
        SocketCanBus.open("vcan0").close().catch(() => undefined);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SocketCanError);
    expect((error as SocketCanError).iface).toBe("vcan0");
    expect((error as SocketCanError).message).toContain("vcan0");
    // Where the kernel has AF_CAN but no vcan0, the cause is the interface instead.
    const hostHasAfCan = existsSync("/proc/net/can");
    expect((error as SocketCanError).code).toBe(hostHasAfCan ? "E_NO_INTERFACE" : "E_NO_AF_CAN");
  });

  it("says the kernel has no AF_CAN when /proc/net/can is missing", () => {
    const paths = kernel({ afCan: false, ifaces: [] });
    const open = () =>
      SocketCanBus.open("can7", {
        kernelPaths: paths,
        openChannel: () => {
          throw new Error("Error while creating channel");
        },
      });
    expect(open).toThrow(SocketCanError);
    expect(open).toThrow(/socketcan:can7: this kernel has no SocketCAN support \(AF_CAN/);
    expect(open).toThrow(/interface can7 does not exist either/);
  });

  it("says the interface does not exist when the kernel has AF_CAN", () => {
    const paths = kernel({ afCan: true, ifaces: ["can0"] });
    let error: unknown;
    try {
      SocketCanBus.open("vcan9", {
        kernelPaths: paths,
        openChannel: () => {
          throw new Error("Error while creating channel");
        },
      });
    } catch (e) {
      error = e;
    }
    expect((error as SocketCanError).code).toBe("E_NO_INTERFACE");
    expect((error as SocketCanError).message).toMatch(/network interface vcan9 does not exist/);
  });

  it("keeps the addon's message when both AF_CAN and the interface exist", () => {
    const paths = kernel({ afCan: true, ifaces: ["eth9"] });
    const open = () =>
      SocketCanBus.open("eth9", {
        kernelPaths: paths,
        openChannel: () => {
          throw new Error("Error while creating channel");
        },
      });
    expect(open).toThrow(/cannot open a raw CAN socket on eth9.*Error while creating channel/);
  });
});

describe("SocketCanBus frames", () => {
  it("writes classic, extended, remote and FD frames as the addon expects", () => {
    const channel = new FakeChannel();
    const bus = SocketCanBus.open("vcan0", { openChannel: () => channel });
    expect(channel.started).toBe(true);
    bus.send(makeFrame(0x123, Uint8Array.of(1, 2)));
    bus.send(makeFrame(0x18daf101, Uint8Array.of(3)));
    bus.send(makeFrame(0x321, new Uint8Array(0), { remote: true, dlc: 3 }));
    bus.send(makeFrame(0x456, new Uint8Array(12), { brs: true }));
    const [classic, ext, remote, fd] = channel.written;
    expect(classic).toMatchObject({ id: 0x123, ext: false, rtr: false });
    expect([...classic!.data]).toEqual([1, 2]);
    expect(ext).toMatchObject({ id: 0x18daf101, ext: true });
    expect(remote).toMatchObject({ id: 0x321, rtr: true });
    expect(remote!.data.length).toBe(3);
    expect(fd).toMatchObject({ id: 0x456, fd_brs: true });
    expect(fd!.data.length).toBe(12);
    expect(bus.stats().sent).toBe(4);
  });

  it("counts error frames instead of transmitting them on a real controller", () => {
    const channel = new FakeChannel();
    const paths = kernel({ afCan: true, ifaces: ["can0"] });
    const bus = SocketCanBus.open("can0", { openChannel: () => channel, kernelPaths: paths });
    bus.send(makeFrame(0x80, new Uint8Array(8), { error: true }));
    expect(channel.written).toHaveLength(0);
    expect(bus.stats().skippedErrorFrames).toBe(1);
  });

  it("hands received frames to listeners with the interface as channel", () => {
    const channel = new FakeChannel();
    const bus = SocketCanBus.open("vcan0", { openChannel: () => channel });
    const seen: unknown[] = [];
    bus.onFrame((frame, ts) => {
      seen.push({ id: frame.id, ext: frame.extended, ch: frame.channel, ts: typeof ts });
    });
    channel.listener?.({ id: 0x1abcdef0, ext: true, data: Buffer.from([1, 2, 3]) });
    expect(seen).toEqual([{ id: 0x1abcdef0, ext: true, ch: "vcan0", ts: "bigint" }]);
  });

  it("retries refused writes (ENOBUFS) with growing backoff, in order, and counts them", async () => {
    const channel = new FakeChannel(3);
    const timer = manualTimer();
    const bus = SocketCanBus.open("vcan0", {
      openChannel: () => channel,
      schedule: timer.schedule,
      retryDelayMs: 1,
    });
    bus.send(makeFrame(1, new Uint8Array(0)));
    bus.send(makeFrame(2, new Uint8Array(0)));
    expect(channel.written).toHaveLength(0);
    expect(bus.stats()).toMatchObject({ queued: 2, refused: 1 });
    const delays: number[] = [];
    while (timer.pending.length > 0) {
      delays.push(timer.pending[0]!.delayMs);
      timer.fire();
    }
    expect(delays).toEqual([1, 2, 4]);
    expect(channel.written.map((m) => m.id)).toEqual([1, 2]);
    expect(bus.stats()).toMatchObject({ sent: 2, refused: 3, dropped: 0, queued: 0 });
    await bus.close();
    expect(channel.stopped).toBe(true);
  });

  it("drops a frame after maxAttempts refusals, counts it and goes on", () => {
    const channel = new FakeChannel(5);
    const timer = manualTimer();
    const bus = SocketCanBus.open("vcan0", {
      openChannel: () => channel,
      schedule: timer.schedule,
      maxAttempts: 3,
    });
    bus.send(makeFrame(1, new Uint8Array(0)));
    bus.send(makeFrame(2, new Uint8Array(0)));
    while (timer.pending.length > 0) timer.fire();
    expect(channel.written.map((m) => m.id)).toEqual([2]);
    expect(bus.stats()).toMatchObject({ dropped: 1, sent: 1 });
  });

  it("drops new frames beyond maxQueued rather than growing without bound", () => {
    const channel = new FakeChannel(1000);
    const timer = manualTimer();
    const bus = SocketCanBus.open("vcan0", {
      openChannel: () => channel,
      schedule: timer.schedule,
      maxQueued: 2,
    });
    for (let i = 0; i < 5; i++) bus.send(makeFrame(i, new Uint8Array(0)));
    expect(bus.stats()).toMatchObject({ queued: 2, dropped: 3 });
  });
});

/** A kernel folder whose interface has sysfs `flags` and `mtu` files the test can change. */
function iface(name: string, up: boolean, mtu: number) {
  const paths = kernel({ afCan: true, ifaces: [name] });
  const set = (isUp: boolean) =>
    writeFileSync(join(paths.sysClassNet, name, "flags"), isUp ? "0x1003\n" : "0x1002\n");
  set(up);
  writeFileSync(join(paths.sysClassNet, name, "mtu"), `${mtu}\n`);
  return { paths, set };
}

describe("SocketCanBus kernel behaviour", () => {
  it("writes error frames with CAN_ERR_FLAG and eight bytes when told to send them", () => {
    const channel = new FakeChannel();
    const bus = SocketCanBus.open("vcan0", { openChannel: () => channel, errorFrames: "send" });
    bus.send(makeFrame(0x004, Uint8Array.of(0, 8), { error: true }));
    expect(channel.written[0]).toMatchObject({ id: 0x20000004, ext: false });
    expect([...channel.written[0]!.data]).toEqual([0, 8, 0, 0, 0, 0, 0, 0]);
  });

  it("drops a CAN FD frame refused by a classic-MTU interface at once, as EINVAL", () => {
    const { paths } = iface("can3", true, 16);
    const channel = new FakeChannel();
    channel.sendFD = () => -1;
    const timer = manualTimer();
    const bus = SocketCanBus.open("can3", {
      openChannel: () => channel, kernelPaths: paths, schedule: timer.schedule,
    });
    bus.send(makeFrame(0x10, new Uint8Array(12)));
    expect(timer.pending).toHaveLength(0);
    expect(bus.stats()).toMatchObject({ rejected: 1, queued: 0, refusedBy: { EINVAL: 1 } });
  });

  it("names a refusal on an up interface ENOBUFS and on a down one ENETDOWN", () => {
    const { paths, set } = iface("can4", true, 16);
    const channel = new FakeChannel(2);
    const timer = manualTimer();
    const bus = SocketCanBus.open("can4", {
      openChannel: () => channel, kernelPaths: paths, schedule: timer.schedule,
    });
    bus.send(makeFrame(1, new Uint8Array(0)));
    set(false);
    timer.fire();
    expect(bus.stats().refusedBy).toMatchObject({ ENOBUFS: 1, ENETDOWN: 1 });
  });

  it("holds frames while the interface is down, reopens it once up and says so", () => {
    const { paths, set } = iface("can5", true, 72);
    const channels = [new FakeChannel(), new FakeChannel()];
    let opened = 0;
    const timer = manualTimer();
    const bus = SocketCanBus.open("can5", {
      openChannel: () => channels[opened++] as FakeChannel, kernelPaths: paths,
      schedule: timer.schedule,
    });
    const states: string[] = [];
    bus.onState((e) => states.push(e.state));
    set(false);
    channels[0]!.onStopped?.();
    bus.send(makeFrame(7, Uint8Array.of(7)));
    expect(bus.stats()).toMatchObject({ down: true, queued: 1 });
    timer.fire();
    expect(opened).toBe(1);
    set(true);
    timer.fire();
    expect(opened).toBe(2);
    expect(states).toEqual(["down", "up"]);
    expect(channels[1]!.written.map((m) => m.id)).toEqual([7]);
    expect(bus.stats()).toMatchObject({ down: false, queued: 0, recoveries: 1 });
  });

  it("passes kernel filters with the frame format in the mask", () => {
    const channel = new FakeChannel();
    SocketCanBus.open("vcan0", {
      openChannel: () => channel,
      filters: [{ id: 0x123, mask: 0x7ff }, { id: 0x18daf100, mask: 0x1fffff00, extended: true }],
    });
    expect(channel.filters).toEqual([
      { id: 0x123, mask: 0x800007ff },
      { id: 0x98daf100, mask: 0x9fffff00 },
    ]);
  });

  it("counts frames the addon cannot write exactly (classic DLC over 8, ESI)", () => {
    const channel = new FakeChannel();
    const bus = SocketCanBus.open("vcan0", { openChannel: () => channel });
    bus.send(makeFrame(1, new Uint8Array(8), { dlc: 12, fd: false }));
    bus.send(makeFrame(2, new Uint8Array(16), { esi: true }));
    bus.send(makeFrame(3, new Uint8Array(8)));
    expect(bus.stats()).toMatchObject({ sent: 3, inexact: 2 });
  });
});
