import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeFrame, type CanFrame } from "../../../drivers/can/CanFrame.js";
import { VirtualBus } from "../../../drivers/can/virtual/VirtualBus.js";
import { CandumpOutput } from "../../../replay/outputs/CandumpOutput.js";
import { openOutput } from "../../../replay/outputs/openOutput.js";
import { ReplayOptionError } from "../../../replay/ReplayOptionError.js";
import { SocketCanError } from "../../../drivers/can/socketcan/SocketCanError.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-outputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("CandumpOutput", () => {
  it("writes candump -l lines carrying each frame's recorded absolute time", async () => {
    const path = join(dir, "out.log");
    const output = CandumpOutput.open(path, { paced: false });
    await output.send(makeFrame(0x123, Uint8Array.of(0xde, 0xad), { channel: "can1" }), 1_700_000_000_123_456_000n);
    await output.send(makeFrame(0x18daf101, Uint8Array.of(1)), 1_700_000_001_000_000_000n);
    await output.close();
    expect(readFileSync(path, "utf8")).toBe(
      "(1700000000.123456) can1 123#DEAD\n(1700000001.000000) can0 18DAF101#01\n",
    );
    expect(output.stats()).toEqual({ target: `candump:${path}`, frames: 2 });
  });
});

describe("openOutput", () => {
  it("opens virtual:<bus> as an endpoint of that bus", async () => {
    const listener = VirtualBus.endpoint("outputs-test");
    const seen: CanFrame[] = [];
    listener.onFrame((f) => seen.push(f));
    const output = openOutput("virtual:outputs-test", { paced: true });
    await output.send(makeFrame(0x42, Uint8Array.of(7)), 0n);
    expect(seen.map((f) => f.id)).toEqual([0x42]);
    expect(output.stats()).toEqual({ target: "virtual:outputs-test", frames: 1 });
    await output.close();
    await listener.close();
  });

  it("opens candump:<path> as a text log", async () => {
    const path = join(dir, "b.log");
    const output = openOutput(`candump:${path}`, { paced: true });
    await output.send(makeFrame(0x7ff, new Uint8Array(0)), 1_000_000_000n);
    await output.close();
    expect(readFileSync(path, "utf8")).toBe("(1.000000) can0 7FF#\n");
  });

  it("names the output when candump:<path> cannot be written, before any frame", () => {
    const path = join(dir, "no-such-dir", "out.log");
    expect(() => openOutput(`candump:${path}`, { paced: true })).toThrow(
      `--to candump:${path}: cannot write the file: ENOENT`);
  });

  it("names the interface when socketcan:<if> cannot be opened", () => {
    expect(() => openOutput("socketcan:nosuchcan0", { paced: true })).toThrow(SocketCanError);
    expect(() => openOutput("socketcan:nosuchcan0", { paced: true })).toThrow(/nosuchcan0/);
  });

  it("refuses an unknown or empty target, listing the forms it takes", () => {
    expect(() => openOutput("udp:1234", { paced: true })).toThrow(ReplayOptionError);
    expect(() => openOutput("candump:", { paced: true })).toThrow(/socketcan:<interface>/);
  });
});
