import { describe, expect, it } from "vitest";
import { IoWaitMonitor } from "../../../replay/results/IoWaitMonitor.js";
import { parseResultsTarget } from "../../../replay/results/ResultsTarget.js";
import { newRunId } from "../../../replay/results/runId.js";
import { streamingFigures } from "../../../replay/results/streamingFigures.js";
import { emptyS3SourceStats } from "../../../replay/sources/S3SourceStats.js";

describe("newRunId", () => {
  it("is the UTC second then random hex, so that ids sort by start time", () => {
    const id = newRunId(new Date("2026-12-04T17:28:29.123Z"), () => "a1b2c3");
    expect(id).toBe("20261204T172829Z-a1b2c3");
    expect(newRunId()).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(newRunId()).not.toBe(newRunId());
  });
});

describe("parseResultsTarget", () => {
  it("treats an S3 prefix as a folder and anything else as a local directory", () => {
    expect(parseResultsTarget("s3://b/runs")).toEqual(
      { kind: "s3", url: "s3://b/runs/", prefix: { bucket: "b", key: "runs/" } });
    expect(parseResultsTarget("s3://b")).toMatchObject({ prefix: { bucket: "b", key: "" } });
    expect(parseResultsTarget("out/results")).toEqual({ kind: "local", dir: "out/results" });
    expect(() => parseResultsTarget("s3:///runs")).toThrow(/missing bucket/);
  });
});

describe("IoWaitMonitor", () => {
  it("puts late frames down to I/O only in a batch with a read wait or right after it", () => {
    let underruns = 0;
    let late = 0;
    const monitor = new IoWaitMonitor(() => underruns, () => late);
    late = 2;
    monitor.check(); // late without a wait: the scheduler's, not I/O's
    underruns = 1;
    late = 5;
    monitor.check(); // +3 with a wait
    late = 6;
    monitor.check(); // +1 in the batch after the wait
    late = 9;
    monitor.check(); // +3, the wait is two batches back
    expect(monitor.lateFramesDuringIoWait).toBe(4);
  });
});

describe("streamingFigures", () => {
  const stats = (bytesFetched: number, underruns: number, underrunWaitMs: number) =>
    ({ ...emptyS3SourceStats(), bytesFetched, underruns, underrunWaitMs });

  it("sets the bytes per second the schedule needed against those delivered", () => {
    const figures = streamingFigures([stats(6e6, 2, 120.4), stats(4e6, 1, 30)], {
      rate: 2, wallNs: 10e9, firstFrameNs: 0, lastFrameNs: 10e9, passes: 1,
    }, 3);
    expect(figures).toEqual({
      underruns: 3,
      underrunWaitMs: 150,
      bytesFetched: 10e6,
      neededBytesPerSecond: 2e6,
      achievedBytesPerSecond: 1e6,
      lateFramesDuringIoWait: 3,
    });
  });

  it("needs no particular rate when unpaced", () => {
    const figures = streamingFigures([stats(1e6, 0, 0)], {
      rate: 0, wallNs: 1e9, firstFrameNs: 0, lastFrameNs: 5e9, passes: 1,
    }, 0);
    expect(figures.neededBytesPerSecond).toBeUndefined();
    expect(figures.achievedBytesPerSecond).toBe(1e6);
  });
});
