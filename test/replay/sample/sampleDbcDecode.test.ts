import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDbc } from "../../../drivers/dbc/index.js";
import { sampleDriveFrames } from "../../../replay/sample/sampleDriveFrames.js";
import { repoRoot } from "../../support/sharedData.js";

const dbc = parseDbc(readFileSync(join(repoRoot, "config", "dbc", "roadrig-sample.dbc")));
const drive = [...sampleDriveFrames({ durationS: 20 })];

describe("the sample drive decoded with its DBC", () => {
  it("knows every frame of the drive", () => {
    const unknown = drive.filter(({ frame }) => dbc.decode(frame) === undefined);
    expect(unknown.map((f) => f.frame.id)).toEqual([]);
  });

  it("marks the FD message as CAN FD and the J1939 message as extended", () => {
    const fd = dbc.decode(drive.find((f) => f.frame.fd)?.frame ?? drive[0]!.frame);
    expect(fd?.message.fd).toBe(true);
    expect(fd?.message.name).toBe("HvBatteryStatus");
    const j1939 = dbc.decode(drive.find((f) => f.frame.extended)?.frame ?? drive[0]!.frame);
    expect(j1939?.message.name).toBe("CCVS1");
  });

  it("labels the gear and door states through the value tables", () => {
    const labels = new Set<string>();
    for (const { frame } of drive) {
      for (const s of dbc.decode(frame)?.signals ?? []) {
        if (s.label !== undefined) labels.add(`${s.name}=${s.label}`);
      }
    }
    expect(labels).toContain("GearSelector=P");
    expect(labels).toContain("GearSelector=D");
    expect(labels).toContain("DoorFL=Open");
    expect(labels).toContain("DoorFL=Closed");
    expect(labels).toContain("LockRequest=Unlock");
  });

  it("decodes values inside each signal's range with its unit", () => {
    const speeds = drive
      .map(({ frame }) => dbc.decode(frame)?.signals.find((s) => s.name === "VehicleSpeed"))
      .filter((s) => s !== undefined);
    expect(speeds.length).toBe(2000);
    expect(speeds.every((s) => s.unit === "km/h" && Number(s.value) >= 0)).toBe(true);
    expect(Math.max(...speeds.map((s) => Number(s.value)))).toBeGreaterThan(10);
  });
});
