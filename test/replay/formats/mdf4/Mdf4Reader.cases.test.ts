import { describe, expect, it } from "vitest";
import { openMdf4 } from "../../../../replay/formats/mdf4/Mdf4Reader.js";
import type { SignalSample } from "../../../../replay/formats/mdf4/SignalDecoder.js";
import { FileSource } from "../../../../replay/sources/FileSource.js";
import { casePath, hasShared } from "../../../support/sharedData.js";

async function read(...parts: string[]): Promise<{ samples: SignalSample[]; startNs: bigint;
  finalized?: boolean | undefined; compression: string[] }> {
  const reader = await openMdf4(await FileSource.open(casePath(...parts)));
  try {
    const d = reader.describe();
    const samples: SignalSample[] = [];
    for await (const batch of reader.readSignal(0, "value")) samples.push(...batch);
    return { samples, startNs: reader.startNs, finalized: d.finalized, compression: d.compression };
  } finally {
    await reader.close();
  }
}

function expect200(samples: SignalSample[]): void {
  expect(samples).toHaveLength(200);
  samples.forEach((s, i) => {
    expect(s.timeNs).toBe(Math.round(i * 0.01 * 1e9));
    expect(s.value).toBe(i % 256);
  });
  expect(samples[199]).toEqual({ timeNs: 1_990_000_000, value: 199 });
}

describe.skipIf(!hasShared)("MDF4 cases from bug reports", () => {
  it("16: reads a finalized file", async () => {
    const r = await read("asammdf-727", "finalized.mf4");
    expect(r.finalized).toBe(true);
    expect200(r.samples);
  });

  it("16: reads an unfinalized file past cycle count 0 and the stale DT length", async () => {
    const r = await read("asammdf-727", "unfinalized.mf4");
    expect(r.finalized).toBe(false);
    expect200(r.samples);
  });

  it("17: reads a transposed DZ", async () => {
    const r = await read("asammdf-727", "dz_transposed.mf4");
    expect(r.compression).toEqual(["transposed-deflate"]);
    expect200(r.samples);
  });

  it("17: reads a DL of two DZ with a record split across them", async () => {
    expect200((await read("asammdf-727", "dl_two_dz.mf4")).samples);
  });

  it("18: takes hd_start_time_ns as UTC whatever the time zone offsets", async () => {
    const r = await read("asammdf-756", "hd_tz_offset.mf4");
    expect(r.startNs).toBe(1_700_000_000_000_000_000n);
    expect200(r.samples);
  });
});
