import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CanFrame } from "../../../drivers/can/CanFrame.js";
import { CandumpWriter, openCandump } from "../../../replay/formats/candump/index.js";
import type { LogReader } from "../../../replay/formats/LogReader.js";
import { openMdf4 } from "../../../replay/formats/mdf4/Mdf4Reader.js";
import { Mdf4Writer } from "../../../replay/formats/mdf4/Mdf4Writer.js";
import { FileSource } from "../../../replay/sources/FileSource.js";
import { dataPath, hasShared } from "../../support/sharedData.js";

/** A frame with its absolute time, the fields every format keeps (not `dir`). */
type Stamped = Omit<CanFrame, "dir" | "data"> & { absNs: bigint; data: number[] };

const dir = mkdtempSync(join(tmpdir(), "roadrig-two-paths-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(open: (s: FileSource) => Promise<LogReader>, path: string) {
  const reader = await open(await FileSource.open(path));
  const frames: { timeNs: number; frame: CanFrame }[] = [];
  try {
    for await (const batch of reader.batches()) {
      for (const r of batch) if (r.kind === "frame") frames.push({ timeNs: r.timeNs, frame: r.frame });
    }
  } finally {
    await reader.close();
  }
  return { startNs: reader.startNs, frames };
}

function stamp(startNs: bigint, timeNs: number, f: CanFrame): Stamped {
  return {
    absNs: startNs + BigInt(Math.round(timeNs)),
    id: f.id, extended: f.extended, fd: f.fd, brs: f.brs, esi: f.esi, remote: f.remote,
    error: f.error, dlc: f.dlc, data: [...f.data], channel: f.channel,
  };
}

async function stamped(open: (s: FileSource) => Promise<LogReader>, path: string) {
  const { startNs, frames } = await readAll(open, path);
  return frames.map((r) => stamp(startNs, r.timeNs, r.frame));
}

const busLogs = hasShared
  ? readdirSync(dataPath("mf4")).filter((f) => /^(api-examples|mdf4-rs__29)/.test(f) && !/decoded/.test(f))
  : [];

describe.skipIf(!hasShared)("the same log read through two paths", () => {
  it.each(busLogs)("MDF4 %s → candump (9 decimals) → read back gives the same frames", async (file) => {
    const mdf = await readAll(openMdf4, dataPath("mf4", file));
    expect(mdf.frames.length).toBeGreaterThan(0);
    const out = join(dir, `${file}.log`);
    const writer = CandumpWriter.toPath(out, { decimals: 9 });
    for (const { timeNs, frame } of mdf.frames) {
      if (!writer.write(frame, mdf.startNs + BigInt(Math.round(timeNs)))) await writer.drain();
    }
    await writer.close();

    const expected = mdf.frames.map((r) => stamp(mdf.startNs, r.timeNs, r.frame));
    expect(await stamped(openCandump, out)).toEqual(expected);
  });

  it.each([
    ["canlog", "ICSim__sample-can.log"],
    ["canlog", "mdf4-converters__multiple_CAN.log"],
  ])("candump %s/%s → MDF4 (DT, DZ) → read back gives the same frames", async (folder, file) => {
    const log = await readAll(openCandump, dataPath(folder, file));
    const expected = log.frames.map((r) => stamp(log.startNs, r.timeNs, r.frame));
    for (const compression of ["none", "transposed-deflate"] as const) {
      const out = join(dir, `${file}.${compression}.mf4`);
      const writer = Mdf4Writer.create(out, { startNs: log.startNs, compression });
      for (const { timeNs, frame } of log.frames) writer.write(frame, timeNs);
      writer.close();
      expect(await stamped(openMdf4, out)).toEqual(expected);
    }
  });
});
