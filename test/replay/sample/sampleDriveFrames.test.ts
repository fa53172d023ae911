import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sampleDriveFrames } from "../../../replay/sample/sampleDriveFrames.js";
import type { SampleMessage } from "../../../replay/sample/SampleMessage.js";
import { sampleMessage } from "../../../replay/sample/sampleMessages.js";
import type { CanFrame } from "../../../drivers/can/CanFrame.js";

function digest(options: { durationS: number; seed?: number }): string {
  const hash = createHash("sha256");
  for (const { timeNs, frame } of sampleDriveFrames(options)) {
    const data = Buffer.from(frame.data).toString("hex");
    hash.update(`${timeNs} ${frame.channel} ${frame.id} ${data}\n`);
  }
  return hash.digest("hex");
}

/** Physical value of a signal, read back the way a DBC decoder would. */
function decode(message: SampleMessage, frame: CanFrame, name: string): number {
  const signal = message.signals.find((s) => s.name === name);
  if (!signal) throw new Error(`no signal ${name}`);
  let raw = 0;
  for (let bit = 0; bit < signal.length; bit++) {
    const at = signal.startBit + bit;
    if (((frame.data[at >> 3] ?? 0) >> (at % 8)) & 1) raw += 2 ** bit;
  }
  if (signal.signed && raw >= 2 ** (signal.length - 1)) raw -= 2 ** signal.length;
  return raw * signal.factor + signal.offset;
}

const drive = [...sampleDriveFrames({ durationS: 90 })];

describe("sampleDriveFrames", () => {
  it("gives the same frames for the same seed and others for another seed", () => {
    expect(digest({ durationS: 5 })).toBe(digest({ durationS: 5 }));
    expect(digest({ durationS: 5, seed: 2 })).not.toBe(digest({ durationS: 5 }));
  });

  it("yields frames in time order within the duration", () => {
    const backwards = drive.findIndex((f, i) => i > 0 && f.timeNs < (drive[i - 1]?.timeNs ?? 0));
    expect(backwards).toBe(-1);
    expect(drive.at(-1)?.timeNs).toBeLessThan(90e9);
  });

  it("sends each periodic message at its rate on its bus", () => {
    const count = (id: number): number => drive.filter((f) => f.frame.id === id).length;
    expect(count(0x0c0)).toBe(9000);
    expect(count(0x1a0)).toBe(4500);
    expect(count(0x3a0)).toBe(900);
    expect(new Set(drive.map((f) => f.frame.channel))).toEqual(new Set(["can0", "can1"]));
    const body = drive.filter((f) => f.frame.id === 0x3a0);
    expect(body.every((f) => f.frame.channel === "can1")).toBe(true);
  });

  it("carries one CAN FD message longer than 8 bytes and one 29-bit J1939 identifier", () => {
    const fd = drive.filter((f) => f.frame.fd);
    expect(new Set(fd.map((f) => f.frame.id))).toEqual(new Set([0x300]));
    const shapes = new Set(fd.map((f) => `${f.frame.data.length}/${f.frame.dlc}/${f.frame.brs}`));
    expect(shapes).toEqual(new Set(["32/13/true"]));
    const extended = drive.filter((f) => f.frame.extended);
    expect(new Set(extended.map((f) => f.frame.id))).toEqual(new Set([0x18fef100]));
  });

  it("accelerates, cruises, brakes to a stop and opens a door only while stopped", () => {
    const dynamics = sampleMessage("VehicleDynamics");
    const status = sampleMessage("BodyStatus");
    let speed = 0;
    let maxSpeed = 0;
    let stopsAfterDriving = 0;
    let doorOpenings = 0;
    for (const { frame } of drive) {
      if (frame.id === dynamics.id) {
        const next = decode(dynamics, frame, "VehicleSpeed");
        if (speed > 0 && next === 0) stopsAfterDriving++;
        speed = next;
        maxSpeed = Math.max(maxSpeed, speed);
      }
      if (frame.id === status.id && decode(status, frame, "DoorFL") === 1) {
        expect(speed).toBe(0);
        doorOpenings++;
      }
    }
    expect(maxSpeed).toBeGreaterThan(40);
    expect(stopsAfterDriving).toBeGreaterThanOrEqual(1);
    expect(doorOpenings).toBeGreaterThan(0);
  });

  it("sends body commands now and then, not periodically", () => {
    const commands = drive.filter((f) => f.frame.id === 0x3b0);
    expect(commands.length).toBeGreaterThan(2);
    expect(commands.length).toBeLessThan(20);
  });
});
