import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CandumpReader } from "../../../../replay/formats/candump/CandumpReader.js";
import { formatCandumpLine } from "../../../../replay/formats/candump/formatCandumpLine.js";
import { FileSource } from "../../../../replay/sources/FileSource.js";
import { dataPath, hasShared, truthPath } from "../../../support/sharedData.js";
import { expectCountsOf, readFrames, type FrameCountTruth } from "./readAll.js";

interface Truth extends FrameCountTruth {
  distinct_ids: number;
  first_ts: string;
  last_ts: string;
  sha256: string;
}

const logs = hasShared ? readdirSync(dataPath("canlog")).filter((f) => f.endsWith(".log")) : [];

describe.skipIf(!hasShared)("candump logs in the shared data against reference readers", () => {
  it("finds the shared candump logs", () => {
    expect(logs.length).toBeGreaterThanOrEqual(3);
  });

  it.each(logs)("%s gives the reference lines, counts and hashes", async (name) => {
    const truth = JSON.parse(readFileSync(truthPath("canlog", `${name}.json`), "utf8")) as Truth;
    const expected = readFileSync(truthPath("canlog", `${name}.candump`), "utf8");

    // Small chunks so that lines straddle chunk boundaries in the real files too.
    const reader = await CandumpReader.open(await FileSource.open(dataPath("canlog", name)), {
      chunkBytes: 4096,
    });
    const records = await readFrames(reader);
    await reader.close();

    const data = records.filter((r) => !r.frame.remote && !r.frame.error);
    const lines = data.map((r) => formatCandumpLine(r.frame, reader.startNs + BigInt(r.timeNs)));
    const text = lines.map((l) => `${l}\n`).join("");
    expect(lines).toEqual(expected.split("\n").filter((l) => l !== ""));
    expect(createHash("sha256").update(text).digest("hex")).toBe(truth.sha256);

    expectCountsOf(records, truth);
    expect(new Set(data.map((r) => r.frame.id)).size).toBe(truth.distinct_ids);
    expect(lines[0]).toContain(`(${truth.first_ts})`);
    expect(lines.at(-1)).toContain(`(${truth.last_ts})`);
  });
});
