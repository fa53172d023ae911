import { describe, expect, it } from "vitest";
import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import type { OutputStats, ReplayOutput } from "../../../replay/outputs/ReplayOutput.js";
import { FakeClock } from "../../../replay/pacing/FakeClock.js";
import { Replay } from "../../../replay/Replay.js";
import { arrayReader, frameAt, MS } from "../arrayReader.js";

const T0 = 1_700_000_000n * 1_000_000_000n;

/** Reads the replay's clock as each frame goes out, plus `probeNs` of monotonic time later. */
class ProbeOutput implements ReplayOutput {
  readonly target = "probe";
  readonly seen: number[] = [];
  replay: Replay | undefined;

  constructor(
    private readonly clock: FakeClock,
    private readonly probeNs: bigint,
  ) {}

  send(_frame: CanFrame): void {
    this.seen.push(this.replay?.timeAt(this.clock.now() + this.probeNs) ?? NaN);
  }
  flush(): void {}
  stats(): OutputStats {
    return { target: this.target, frames: this.seen.length };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(rate: number, probeNs: bigint, startMs = 0) {
  const clock = new FakeClock();
  const output = new ProbeOutput(clock, probeNs);
  const records = [0, 10, 30].map((ms) => frameAt((startMs + ms) * MS, 0x100));
  const replay = new Replay({
    sources: [{ reader: arrayReader("a.log", T0, records) }],
    outputs: [output],
    clock,
    rate,
  });
  output.replay = replay;
  return { clock, replay, output };
}

describe("Replay.timeAt", () => {
  it("maps a receive instant to the log time due then, at the recorded pace", async () => {
    const { replay, output } = setup(1, 2_000_000n);
    expect(replay.timeAt(0n)).toBe(0);
    await replay.run();
    expect(output.seen).toEqual([2 * MS, 12 * MS, 32 * MS]);
  });

  it("scales the elapsed monotonic time by the rate", async () => {
    const { replay, output } = setup(2, 2_000_000n, 5);
    await replay.run();
    expect(output.seen).toEqual([9 * MS, 19 * MS, 39 * MS]);
  });

  it("stands on the last frame sent at rate 0", async () => {
    const { replay, output } = setup(0, 5_000_000n);
    await replay.run();
    expect(output.seen).toEqual([0, 10 * MS, 30 * MS]);
  });

  it("holds still while paused", async () => {
    const { clock, replay } = setup(1, 0n);
    await replay.run();
    const at = clock.now();
    replay.pause();
    clock.advance(50 * MS);
    expect(replay.timeAt(clock.now())).toBe(replay.timeAt(at));
  });
});
