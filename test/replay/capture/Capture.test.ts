import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CanBus } from "../../../drivers/can/CanBus.js";
import { makeFrame, type CanFrame } from "../../../drivers/can/CanFrame.js";
import { VirtualBus } from "../../../drivers/can/virtual/VirtualBus.js";
import { Capture } from "../../../replay/capture/Capture.js";
import type { CaptureFormat } from "../../../replay/capture/CaptureSink.js";
import { openCaptureBus } from "../../../replay/capture/openCaptureBus.js";
import { openCaptureSink } from "../../../replay/capture/openCaptureSink.js";
import { openLog } from "../../../replay/formats/openLog.js";
import { CanBusOutput } from "../../../replay/outputs/CanBusOutput.js";
import { Replay } from "../../../replay/Replay.js";
import { IdFilter } from "../../../replay/timeline/IdFilter.js";
import { arrayReader, frameAt, MS } from "../arrayReader.js";

const dir = mkdtempSync(join(tmpdir(), "roadrig-capture-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_700_000_000n * 1_000_000_000n;
const REQUEST = 0x7e0;
const ANSWER = 0x7e8;
const HEARTBEAT = 0x100;

/**
 * A device under test on the virtual bus: it answers each request with its tag a moment later
 * (on the next turn of the event loop, as a real ECU answers after some work), and also sends
 * a heartbeat per request that the capture filter is meant to leave out.
 */
function startDut(busName: string, expected: number) {
  const endpoint = VirtualBus.endpoint(busName, "dut");
  let answered = 0;
  let allAnswered: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allAnswered = resolve));
  endpoint.onFrame((frame) => {
    if (frame.id !== REQUEST) return;
    setImmediate(() => {
      endpoint.send(makeFrame(HEARTBEAT, Uint8Array.of(0xff), { channel: "dut" }));
      endpoint.send(makeFrame(ANSWER, Uint8Array.of(frame.data[0] ?? 0), { channel: "dut" }));
      if (++answered === expected) allAnswered();
    });
  });
  return { endpoint, done };
}

async function replayWithDut(busName: string, format: CaptureFormat, requests: number) {
  const records = Array.from({ length: requests }, (_, i) => frameAt(i * 10 * MS, REQUEST, "can0", i));
  const output = new CanBusOutput(`virtual:${busName}`, VirtualBus.endpoint(busName, "replay"));
  const dut = startDut(busName, requests);
  const replay = new Replay({
    sources: [{ reader: arrayReader("requests.log", T0, records) }],
    outputs: [output],
  });
  const path = join(dir, `${busName}.${format === "mf4" ? "mf4" : "log"}`);
  const bus = openCaptureBus(`virtual:${busName}`, (t) => (t === output.target ? output.bus : undefined));
  const capture = new Capture({
    buses: [bus],
    filter: IdFilter.parse([ANSWER.toString(16)]),
    clock: replay,
    sink: openCaptureSink(format, path, replay.originNs),
  });
  capture.start();
  const summary = await replay.run();
  await dut.done;
  const stats = await capture.stop();
  await output.close();
  await dut.endpoint.close();
  return { path, stats, summary, requestTimes: records.map((r) => r.timeNs) };
}

describe("Capture during a replay", () => {
  it("records exactly the DUT's answers, in order, on the replay's clock after their requests",
    async () => {
      const { path, stats, summary, requestTimes } = await replayWithDut("dut-mf4", "mf4", 6);
      expect(summary.frames).toBe(6);
      const reader = await openLog(path);
      expect(reader.startNs).toBe(T0);
      const answers: { tag: number; timeNs: number; id: number; channel: string }[] = [];
      for await (const batch of reader.batches()) {
        for (const r of batch) {
          if (r.kind !== "frame") continue;
          answers.push({
            id: r.frame.id, tag: r.frame.data[0] ?? -1, timeNs: r.timeNs, channel: r.channel,
          });
        }
      }
      await reader.close();
      expect(answers.map((a) => a.id)).toEqual(Array(6).fill(ANSWER));
      expect(answers.map((a) => a.tag)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(answers.map((a) => a.channel)).toEqual(Array(6).fill("dut-mf4"));
      answers.forEach((a, i) => {
        const request = requestTimes[i] as number;
        expect(a.timeNs).toBeGreaterThan(request);
        // The answer comes within a turn of the event loop, long before the next request.
        expect(a.timeNs).toBeLessThan(request + 10 * MS);
      });
      expect(stats).toMatchObject({
        format: "mf4", frames: 6, filtered: 6, framesPerChannel: { "dut-mf4": 6 },
      });
    });

  it("writes candump lines with absolute times on the replay's origin", async () => {
    const { path, stats, requestTimes } = await replayWithDut("dut-candump", "candump", 4);
    const lines = readFileSync(path, "utf8").trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(stats.frames).toBe(4);
    lines.forEach((line, i) => {
      const m = /^\((\d+)\.(\d{6})\) dut-candump 7E8#(\w\w)$/.exec(line);
      expect(m, line).not.toBeNull();
      const absUs = BigInt(`${m?.[1]}${m?.[2]}`);
      const requestUs = (T0 + BigInt(requestTimes[i] as number)) / 1000n;
      expect(absUs >= requestUs).toBe(true);
      expect(absUs < requestUs + 10_000n).toBe(true);
      expect(Number.parseInt(m?.[3] ?? "", 16)).toBe(i);
    });
  });
});

/** A bus the test drives by hand, with receive stamps it chooses. */
class HandBus implements CanBus {
  readonly name = "hand";
  private listener: ((f: CanFrame, t: bigint) => void) | undefined;
  closed = 0;
  send(): void {}
  onFrame(listener: (f: CanFrame, t: bigint) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  receive(id: number, monoNs: bigint): void {
    this.listener?.(makeFrame(id, Uint8Array.of(1)), monoNs);
  }
  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

describe("Capture", () => {
  const clock = { originNs: T0, timeAt: (mono: bigint) => Number(mono) };

  it("never lets times go backwards and closes the buses it opened", async () => {
    const bus = new HandBus();
    const written: number[] = [];
    const sink = {
      format: "candump" as const, path: "mem",
      write: (_f: CanFrame, t: number, abs: bigint) => {
        expect(abs).toBe(T0 + BigInt(t));
        written.push(t);
      },
      close: () => Promise.resolve(),
    };
    const capture = new Capture({
      buses: [{ target: "virtual:a", channel: "a", bus, owned: true }], clock, sink,
    });
    capture.start();
    bus.receive(1, 500n);
    bus.receive(2, 300n);
    bus.receive(3, 900n);
    const stats = await capture.stop();
    bus.receive(4, 1000n);
    expect(written).toEqual([500, 500, 900]);
    expect(stats.frames).toBe(3);
    expect(bus.closed).toBe(1);
  });

  it("stops recording at the first sink failure and reports it", async () => {
    const bus = new HandBus();
    let writes = 0;
    const sink = {
      format: "mf4" as const, path: "mem",
      write: () => {
        if (++writes === 2) throw new Error("disk full");
      },
      close: () => Promise.resolve(),
    };
    const capture = new Capture({
      buses: [{ target: "virtual:a", channel: "a", bus, owned: false }], clock, sink,
    });
    capture.start();
    for (let i = 0; i < 4; i++) bus.receive(i, BigInt(i));
    const stats = await capture.stop();
    expect(writes).toBe(2);
    expect(stats.frames).toBe(1);
    expect(stats.error).toBe("disk full");
    expect(bus.closed).toBe(0);
  });

  it("keeps error frames whatever the ID filter", async () => {
    const bus = new HandBus();
    const ids: number[] = [];
    const sink = {
      format: "mf4" as const, path: "mem",
      write: (f: CanFrame) => void ids.push(f.id),
      close: () => Promise.resolve(),
    };
    const capture = new Capture({
      buses: [{ target: "virtual:a", channel: "a", bus, owned: false }],
      filter: IdFilter.parse(["7E8"]), clock, sink,
    });
    capture.start();
    bus.receive(0x123, 1n);
    bus.receive(0x7e8, 2n);
    (bus as unknown as { listener: (f: CanFrame, t: bigint) => void }).listener(
      makeFrame(0x4, new Uint8Array(8), { error: true }), 3n);
    const stats = await capture.stop();
    expect(ids).toEqual([0x7e8, 0x4]);
    expect(stats.filtered).toBe(1);
  });

  it("refuses capture targets other than virtual and socketcan", () => {
    expect(() => openCaptureBus("candump:-", () => undefined)).toThrow(/virtual:<bus>/);
    expect(() => openCaptureBus("virtual:", () => undefined)).toThrow(/--capture virtual:/);
  });
});
