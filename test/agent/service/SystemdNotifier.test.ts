import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { openNotifySocket } from "../../../agent/service/openNotifySocket.js";
import { SystemdNotifier } from "../../../agent/service/SystemdNotifier.js";
import { SystemdNotifyCommand } from "../../../agent/service/SystemdNotifyCommand.js";
import { UnixDgramNotifySocket } from "../../../agent/service/UnixDgramNotifySocket.js";
import { NotifyReceiver } from "./support/NotifyReceiver.js";

describe("SystemdNotifier on a filesystem notify socket", () => {
  let receiver: NotifyReceiver | undefined;
  afterEach(() => {
    receiver?.close();
    receiver = undefined;
  });

  it("sends each message as one datagram, in order, with its exact assignments", async () => {
    receiver = NotifyReceiver.bind();
    const notifier = new SystemdNotifier(openNotifySocket(receiver.path)!);
    await notifier.ready("connected");
    await notifier.status("broker lost\nreconnecting");
    await notifier.watchdog();
    await notifier.stopping("closing spool");
    await receiver.next((m) => m.startsWith("STOPPING=1"));
    notifier.close();
    expect(receiver.messages).toEqual([
      "READY=1\nSTATUS=connected",
      "STATUS=broker lost reconnecting",
      "WATCHDOG=1",
      "STOPPING=1\nSTATUS=closing spool",
    ]);
  });

  it("rejects a send to a socket nobody listens on, naming the path", async () => {
    const socket = new UnixDgramNotifySocket("/nonexistent/roadrig/notify.sock");
    await expect(socket.send("READY=1")).rejects.toThrow(/\/nonexistent\/roadrig\/notify\.sock/);
    socket.close();
  });
});

describe("openNotifySocket", () => {
  it("opens nothing without NOTIFY_SOCKET", () => {
    expect(openNotifySocket(undefined)).toBeUndefined();
    expect(openNotifySocket("")).toBeUndefined();
  });

  it("refuses a relative path", () => {
    expect(() => openNotifySocket("run/notify")).toThrow(
      "NOTIFY_SOCKET: expected an absolute path or @name, found 'run/notify'");
  });

  it("sends to an abstract address through systemd-notify", () => {
    const socket = openNotifySocket("@roadrig-test");
    expect(socket).toBeInstanceOf(SystemdNotifyCommand);
  });
});

// Node cannot bind an abstract datagram socket (nor can the addon), so Python's socket module
// plays the service manager here; python3 is on every machine that builds the native addons.
const ABSTRACT_RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\\0" + sys.argv[1])
print("bound", flush=True)
for _ in range(int(sys.argv[2])):
    print(repr(s.recv(4096).decode()), flush=True)
`;

describe("SystemdNotifier on an abstract notify socket (@name)", () => {
  it("delivers the messages in order through systemd-notify", async () => {
    const name = `roadrig-test-${process.pid}`;
    const python = spawn("python3", ["-c", ABSTRACT_RECEIVER, name, "2"],
      { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const bound = new Promise<void>((resolve) => python.stdout.setEncoding("utf8")
      .on("data", (chunk: string) => {
        out += chunk;
        if (out.startsWith("bound\n")) resolve();
      }));
    const exited = new Promise<void>((resolve) => python.on("close", () => resolve()));
    await bound;
    const notifier = new SystemdNotifier(openNotifySocket(`@${name}`)!);
    await notifier.ready("up");
    await notifier.reloading("reloading");
    await exited;
    const lines = out.trim().split("\n");
    expect(lines[1]).toBe("'READY=1\\nSTATUS=up'");
    expect(lines[2]).toMatch(/^'RELOADING=1\\nMONOTONIC_USEC=\d+\\nSTATUS=reloading'$/);
  });
});
