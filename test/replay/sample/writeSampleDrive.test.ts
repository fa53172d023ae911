import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sampleDriveFrames } from "../../../replay/sample/sampleDriveFrames.js";
import { SAMPLE_START_NS, writeSampleDrive } from "../../../replay/sample/writeSampleDrive.js";
import { repoRoot } from "../../support/sharedData.js";
import { walkMdf4 } from "../formats/mdf4/mdf4BlockWalk.js";

const outDir = join(repoRoot, ".test-out", "sample");
mkdirSync(outDir, { recursive: true });

describe("writeSampleDrive", () => {
  it.each(["mdf4", "mdf4-dz"] as const)("writes the drive's frames as %s", (format) => {
    const path = join(outDir, `drive-${format}.mf4`);
    const written = writeSampleDrive(path, { format, durationS: 10 });
    const frames = [...sampleDriveFrames({ durationS: 10 })];
    expect(written).toBe(frames.length);

    const { startNs, groups } = walkMdf4(path);
    expect(startNs).toBe(SAMPLE_START_NS);
    const data = groups.find((g) => g.acqName === "CAN_DataFrame");
    expect(data?.cycleCount).toBe(frames.length);
    expect(data?.chain[0]).toBe(format === "mdf4" ? "##DT" : "##HL");
    const last = frames.at(-1);
    const record = data?.records.subarray((frames.length - 1) * 80, frames.length * 80);
    expect(record?.readDoubleLE(0)).toBe((last?.timeNs ?? 0) / 1e9);
    const payload = record?.subarray(16, 16 + (last?.frame.data.length ?? 0));
    expect(payload).toEqual(Buffer.from(last?.frame.data ?? []));
  });
});
