import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import type { CanFrame } from "../../drivers/can/CanFrame.js";
import { makeFrame } from "../../drivers/can/CanFrame.js";
import { FormatError } from "../../replay/formats/FormatError.js";
import type { LogReader } from "../../replay/formats/LogReader.js";
import type { LogRecord } from "../../replay/formats/LogRecord.js";
import type { OutputStats, ReplayOutput } from "../../replay/outputs/ReplayOutput.js";
import { FakeClock } from "../../replay/pacing/FakeClock.js";
import { Replay } from "../../replay/Replay.js";
import type { ReplayOptions } from "../../replay/ReplayOptions.js";
import { casePath, hasShared } from "../support/sharedData.js";
import { arrayReader, frameAt, MS, S } from "./arrayReader.js";

/** Records what was sent and when, on the fake clock. */
class RecordingOutput implements ReplayOutput {
  readonly target = "recording";
  readonly sent: { frame: CanFrame; recordedNs: bigint; atNs: bigint }[] = [];
  flushes = 0;

  constructor(private readonly clock: FakeClock) {}

  send(frame: CanFrame, recordedNs: bigint): void {
    this.sent.push({ frame, recordedNs, atNs: this.clock.now() });
  }

  flush(): void {
    this.flushes++;
  }

  stats(): OutputStats {
    return { target: this.target, frames: this.sent.length };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const T0 = 1_700_000_000n * 1_000_000_000n;

function setup(records: LogRecord[], options: Partial<ReplayOptions> = {}) {
  const clock = new FakeClock();
  const output = new RecordingOutput(clock);
  const replay = new Replay({
    sources: [{ reader: arrayReader("drive.log", T0, records) }],
    outputs: [output],
    clock,
    ...options,
  });
  const start = clock.now();
  const offsets = (): number[] => output.sent.map((s) => Number(s.atNs - start) / MS);
  return { clock, output, replay, offsets };
}

/** candump -l lines into records, enough for the case files. */
function parseCandump(text: string): { startNs: bigint; records: LogRecord[] } {
  const lines = text.trim().split("\n");
  const parsed = lines.map((line) => {
    const m = /^\((\d+)\.(\d{6})\) (\S+) ([0-9A-F]+)#([0-9A-F]*)$/i.exec(line.trim());
    if (!m) throw new Error(`bad line ${line}`);
    const ns = BigInt(m[1] as string) * 1_000_000_000n + BigInt(m[2] as string) * 1000n;
    const data = Uint8Array.from((m[5] as string).match(/../g) ?? [], (b) => parseInt(b, 16));
    return { ns, channel: m[3] as string, frame: makeFrame(parseInt(m[4] as string, 16), data) };
  });
  const startNs = (parsed[0] as { ns: bigint }).ns;
  const records: LogRecord[] = parsed.map((p) => ({
    kind: "frame",
    timeNs: Number(p.ns - startNs),
    channel: p.channel,
    frame: { ...p.frame, channel: p.channel },
  }));
  return { startNs, records };
}

describe("Replay", () => {
  it("sends every frame to every output at its recorded time", async () => {
    const clock = new FakeClock();
    const a = new RecordingOutput(clock);
    const b = new RecordingOutput(clock);
    const replay = new Replay({
      sources: [{ reader: arrayReader("drive.log", T0, [frameAt(0, 1), frameAt(250 * MS, 2)]) }],
      outputs: [a, b],
      clock,
    });
    const summary = await replay.run();
    expect(a.sent.map((s) => s.frame.id)).toEqual([1, 2]);
    expect(b.sent.map((s) => s.frame.id)).toEqual([1, 2]);
    expect(Number(a.sent[1]!.atNs - a.sent[0]!.atNs)).toBe(250 * MS);
    expect(summary.frames).toBe(2);
    expect(summary.outputs.map((o) => o.frames)).toEqual([2, 2]);
    expect(summary.lateness.count).toBe(2);
  });

  it("hands outputs the recorded epoch time of each frame", async () => {
    const { output, replay } = setup([frameAt(0, 1), frameAt(1500, 2)]);
    await replay.run();
    expect(output.sent.map((s) => s.recordedNs)).toEqual([T0, T0 + 1500n]);
  });

  it("counts records that are not CAN frames instead of sending them", async () => {
    const message: LogRecord = {
      kind: "message",
      timeNs: 5,
      channel: "/imu",
      message: { topic: "/imu", type: "sensor_msgs/Imu", data: new Uint8Array(4) },
    };
    const { output, replay } = setup([frameAt(0, 1), message, frameAt(10, 2)]);
    const summary = await replay.run();
    expect(output.sent).toHaveLength(2);
    expect(summary.skippedMessages).toBe(1);
  });

  it("plays a window: --start waits from the start time, --duration ends it", async () => {
    const records = [0, 1, 2, 3, 4, 5].map((s) => frameAt(s * S + 500 * MS, s));
    const { replay, offsets, output } = setup(records, { startNs: 2 * S, durationNs: 2 * S });
    await replay.run();
    expect(output.sent.map((s) => s.frame.id)).toEqual([2, 3]);
    expect(offsets()).toEqual([500, 1500]);
  });

  it("loops N passes, each starting at once", async () => {
    const { replay, offsets } = setup([frameAt(0, 1), frameAt(100 * MS, 2)], { passes: 3 });
    const summary = await replay.run();
    expect(offsets()).toEqual([0, 100, 100, 200, 200, 300]);
    expect(summary.passes).toBe(3);
    expect(summary.frames).toBe(6);
  });

  it("stops a forever loop on stop()", async () => {
    const { replay, output } = setup([frameAt(0, 1), frameAt(10 * MS, 2)], { passes: Infinity });
    replay.on("progress", (p) => {
      if (p.pass === 4) replay.stop();
    });
    const summary = await replay.run();
    expect(summary.stopped).toBe(true);
    expect(summary.passes).toBe(5);
    expect(output.sent.length).toBeGreaterThanOrEqual(8);
  });

  it("stops while the log's next records are still being read (a stalled S3 read)", async () => {
    const clock = new FakeClock();
    const output = new RecordingOutput(clock);
    let readerWaiting!: () => void;
    const waiting = new Promise<void>((resolve) => (readerWaiting = resolve));
    const stalled: LogReader = {
      name: "s3://logs/stalled.log",
      startNs: T0,
      describe: () => ({ format: "candump", compression: [], groups: [] }),
      async *batches(): AsyncIterable<readonly LogRecord[]> {
        yield [frameAt(0, 1)];
        readerWaiting();
        // The next bytes never come: the read waits for the network.
        await new Promise<never>(() => undefined);
      },
      close: () => Promise.resolve(),
    };
    const replay = new Replay({ sources: [{ reader: stalled }], outputs: [output], clock });
    const run = replay.run();
    await waiting;
    replay.stop();
    const summary = await run;
    expect(summary.stopped).toBe(true);
    expect(summary.frames).toBe(output.sent.length);
  });

  it("holds no batch it has played while it waits for the next (a long replay's memory)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const played: WeakRef<object>[] = [];
    let alive = -1;
    const reader: LogReader = {
      name: "long.log",
      startNs: T0,
      describe: () => ({ format: "candump", compression: [], groups: [] }),
      async *batches(): AsyncIterable<readonly LogRecord[]> {
        for (let b = 0; b < 300; b++) {
          if (b === 250) {
            // Out of the microtask queue first: a WeakRef's target is kept until it drains.
            await new Promise((resolve) => setImmediate(resolve));
            gc();
            alive = played.slice(0, 200).filter((ref) => ref.deref() !== undefined).length;
          }
          const batch = Array.from({ length: 10 }, (_, i) => frameAt(0, b * 10 + i));
          for (const record of batch) {
            if (record.kind === "frame") played.push(new WeakRef(record.frame));
          }
          yield batch;
        }
      },
      close: () => Promise.resolve(),
    };
    let sent = 0;
    const counting: ReplayOutput = {
      target: "counting",
      send: () => void sent++,
      flush: () => undefined,
      stats: () => ({ target: "counting", frames: sent }),
      close: () => Promise.resolve(),
    };
    const clock = new FakeClock();
    const replay = new Replay({ sources: [{ reader }], outputs: [counting], clock });
    const summary = await replay.run();
    expect(summary.frames).toBe(3000);
    // Frames of the first 200 batches, long sent when the 250th is read: all collected.
    expect(alive).toBe(0);
  });

  it("counts lateness only for frames sent, when a stop lands during a wait", async () => {
    const { clock, replay, output } = setup([0, 1, 2, 3, 4].map((s) => frameAt(s * S, s)));
    const wait = clock.waitUntil.bind(clock);
    clock.waitUntil = (deadline) => {
      // The stop arrives while the third frame is being waited for.
      if (output.sent.length === 2) replay.stop();
      return wait(deadline);
    };
    const summary = await replay.run();
    expect(summary.stopped).toBe(true);
    expect(summary.frames).toBe(2);
    expect(summary.lateness.count).toBe(summary.frames);
  });

  it("counts lateness only for frames sent, when a seek lands during a wait", async () => {
    const { clock, replay, output } = setup([0, 1, 2, 3, 4].map((s) => frameAt(s * S, s)));
    const wait = clock.waitUntil.bind(clock);
    clock.waitUntil = (deadline) => {
      if (output.sent.length === 1 && clock.waits === 0) replay.seek(3 * S);
      return wait(deadline);
    };
    const summary = await replay.run();
    expect(output.sent.map((s) => s.frame.id)).toEqual([0, 3, 4]);
    expect(summary.lateness.count).toBe(3);
  });

  it("seeks: the frame at the target goes at once, later ones keep their spacing", async () => {
    const records = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => frameAt(s * S, s));
    const { replay, output, offsets } = setup(records, { timeline: { batchSize: 2 } });
    let seeked = false;
    replay.on("progress", (p) => {
      if (!seeked && p.timeNs >= 1 * S) {
        seeked = true;
        replay.seek(7 * S);
      }
    });
    await replay.run();
    // Batches of 2: progress after frames 0 and 1, then the seek lands on 7.
    expect(output.sent.map((s) => s.frame.id)).toEqual([0, 1, 7, 8, 9]);
    expect(offsets()).toEqual([0, 1000, 1000, 2000, 3000]);
  });

  it("flushes outputs before paced waits, not when unpaced", async () => {
    const paced = setup([frameAt(0, 1), frameAt(10, 2), frameAt(20, 3)]);
    await paced.replay.run();
    expect(paced.output.flushes).toBeGreaterThanOrEqual(3);
    const unpaced = setup([frameAt(0, 1), frameAt(10, 2), frameAt(20, 3)], { rate: 0 });
    await unpaced.replay.run();
    expect(unpaced.output.flushes).toBe(1);
  });

  it("awaits an output's backpressure before the next frame", async () => {
    const clock = new FakeClock();
    const order: string[] = [];
    const slow: ReplayOutput = {
      target: "slow",
      send: (frame) => {
        order.push(`send ${frame.id}`);
        return Promise.resolve().then(() => void order.push(`drained ${frame.id}`));
      },
      flush: () => undefined,
      stats: () => ({ target: "slow", frames: 0 }),
      close: () => Promise.resolve(),
    };
    const replay = new Replay({
      sources: [{ reader: arrayReader("a.log", T0, [frameAt(0, 1), frameAt(0, 2)]) }],
      outputs: [slow],
      clock,
      rate: 0,
    });
    await replay.run();
    expect(order).toEqual(["send 1", "drained 1", "send 2", "drained 2"]);
  });
});

// ../shared/cases/README.md, section 15: python-can#1646, gap.log with a long gap and a
// backward jump. Expected send offsets (ms) from the case's table.
describe.skipIf(!hasShared)("Replay of case 15 (python-can#1646, gap.log)", () => {
  const load = () => parseCandump(readFileSync(casePath("python-can-1646", "gap.log"), "utf8"));

  function replayGap(options: Partial<ReplayOptions>) {
    const { startNs, records } = load();
    const clock = new FakeClock();
    const output = new RecordingOutput(clock);
    const replay = new Replay({
      sources: [{ reader: arrayReader("gap.log", startNs, records) }],
      outputs: [output],
      clock,
      ...options,
    });
    const start = clock.now();
    return {
      replay,
      offsets: () => output.sent.map((s) => Math.round(Number(s.atNs - start) / 1e3) / 1e3),
    };
  }

  it("re-anchors like canplayer without -s: 0, 100, 5100, 5150, 5150, 5160 ms", async () => {
    const { replay, offsets } = replayGap({ timeline: { timeJumps: "reanchor" } });
    await replay.run();
    expect(offsets()).toEqual([0, 100, 5100, 5150, 5150, 5160]);
  });

  it("caps the gap at --max-gap 1 like MessageSync(skip=1) for frames 01–05", async () => {
    const { replay, offsets } = replayGap({ timeline: { timeJumps: "reanchor" }, maxGapNs: 1 * S });
    await replay.run();
    // MessageSync sends 06 at 1150 ms, losing the 10 ms spacing after the jump back;
    // re-anchoring keeps it (canplayer's rule), hence 1160.
    expect(offsets()).toEqual([0, 100, 1100, 1150, 1150, 1160]);
  });

  it("by default stops at the backward jump, naming gap.log and record 5", async () => {
    const { replay } = replayGap({});
    const error = await replay.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).message).toMatch(/^gap\.log: record 5: .*backwards/);
  });
});
