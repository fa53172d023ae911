import type { CanFrame } from "../../drivers/can/CanFrame.js";
import { lengthToDlc } from "../../drivers/can/CanFrame.js";
import { packSignals } from "./packSignals.js";
import type { SampleMessage } from "./SampleMessage.js";
import { SAMPLE_MESSAGES, sampleMessage } from "./sampleMessages.js";
import { seededRandom } from "./seededRandom.js";
import { VehicleModel } from "./VehicleModel.js";

export interface SampleDriveOptions {
  /** Length of the drive; default 180 s. */
  durationS?: number;
  /** Default 1. */
  seed?: number;
}

export interface SampleDriveFrame {
  /** Nanoseconds from the start of the drive. */
  timeNs: number;
  frame: CanFrame;
}

export const DEFAULT_SAMPLE_DURATION_S = 180;
export const DEFAULT_SAMPLE_SEED = 1;

/** Senders do not transmit exactly on their period: a jitter of up to ±0.2 ms, seeded. */
const JITTER_NS = 200_000;

interface Schedule {
  message: SampleMessage;
  periodNs: number;
  phaseNs: number;
  cycle: number;
  dueNs: number;
  counter: number;
}

/**
 * The frames of roadrig's sample drive in time order, computed as they are asked for (a long
 * drive costs no memory). The same options always give the same frames.
 */
export function* sampleDriveFrames(options: SampleDriveOptions = {}): Generator<SampleDriveFrame> {
  const durationNs = (options.durationS ?? DEFAULT_SAMPLE_DURATION_S) * 1e9;
  const seed = options.seed ?? DEFAULT_SAMPLE_SEED;
  const model = new VehicleModel(seed);
  const jitter = seededRandom(seed ^ 0x5eed);
  const schedules = SAMPLE_MESSAGES.filter((m) => m.periodMs > 0).map((message, i) => {
    const periodNs = message.periodMs * 1e6;
    const phaseNs = 300_000 + i * 1_100_000;
    return { message, periodNs, phaseNs, cycle: 0, dueNs: phaseNs, counter: 0 };
  });
  const command = sampleMessage("BodyCommand");
  let lastNs = 0;

  for (;;) {
    const next = earliest(schedules);
    if (next.dueNs >= durationNs) return;
    model.advanceTo(next.dueNs / 1e9);

    for (const event of model.commands.splice(0)) {
      const values = {
        LockRequest: event.lock,
        TrunkRequest: event.trunk,
        WindowFLTarget: event.windowTarget,
        WindowFLRequest: event.windowRequest,
      };
      // The model's clock sums 10 ms steps; clamping keeps float drift from reordering frames.
      const timeNs = Math.min(next.dueNs, Math.max(lastNs, Math.round(event.timeS * 1e9)));
      yield { timeNs, frame: frameOf(command, values) };
    }
    yield { timeNs: next.dueNs, frame: frameOf(next.message, valuesOf(next, model)) };
    lastNs = next.dueNs;

    next.cycle++;
    next.counter = (next.counter + 1) % 16;
    const offset = Math.round((jitter() * 2 - 1) * JITTER_NS);
    next.dueNs = next.phaseNs + next.cycle * next.periodNs + offset;
  }
}

function earliest(schedules: Schedule[]): Schedule {
  let best = schedules[0] as Schedule;
  for (const s of schedules) if (s.dueNs < best.dueNs) best = s;
  return best;
}

function frameOf(message: SampleMessage, values: Record<string, number>): CanFrame {
  const data = packSignals(message, values);
  return {
    id: message.id,
    extended: message.extended,
    fd: message.fd,
    brs: message.fd,
    esi: false,
    remote: false,
    error: false,
    dlc: lengthToDlc(data.length),
    data,
    channel: message.channel,
    dir: "rx",
  };
}

function valuesOf(schedule: Schedule, m: VehicleModel): Record<string, number> {
  const alive = { AliveCounter: schedule.counter };
  switch (schedule.message.name) {
    case "EngineData":
      return {
        EngineSpeed: m.engineRpm,
        CoolantTemp: m.coolantC,
        ThrottlePosition: m.acceleratorPct * 0.9,
        EngineTorque: m.engineTorqueNm,
        ...alive,
      };
    case "VehicleDynamics":
      return { VehicleSpeed: m.speedKmh, LongitudinalAccel: m.accelMs2, ...alive };
    case "WheelSpeeds":
      return wheelSpeeds(m);
    case "Pedals":
      return {
        AcceleratorPedal: m.acceleratorPct,
        BrakePedal: m.brakePct,
        BrakeSwitch: m.brakePct > 2 ? 1 : 0,
        ...alive,
      };
    case "Transmission":
      return { GearSelector: m.gearSelector, CurrentGear: m.currentGear, ...alive };
    case "CCVS1":
      return {
        ParkingBrakeSwitch: m.gearSelector === 0 ? 1 : 0,
        WheelBasedVehicleSpeed: m.speedKmh,
        BrakeSwitch: m.brakePct > 2 ? 1 : 0,
      };
    case "HvBatteryStatus":
      return battery(m);
    case "BodyStatus":
      return body(m, schedule.counter);
    default:
      return {};
  }
}

function wheelSpeeds(m: VehicleModel): Record<string, number> {
  const wheel = (scale: number): number =>
    m.speedKmh === 0 ? 0 : m.speedKmh * scale * (1 + m.noise(0.003));
  return {
    WheelSpeedFL: wheel(1.002),
    WheelSpeedFR: wheel(0.998),
    WheelSpeedRL: wheel(1.001),
    WheelSpeedRR: wheel(0.999),
  };
}

function battery(m: VehicleModel): Record<string, number> {
  const values: Record<string, number> = {};
  let pack = 0;
  for (let i = 1; i <= 12; i++) {
    const cell = 3.55 + m.stateOfCharge * 0.006 - m.packCurrentA * 0.0004 + m.noise(0.004);
    values[`CellVoltage${String(i).padStart(2, "0")}`] = cell;
    pack += cell * 8;
  }
  return {
    ...values,
    PackVoltage: pack,
    PackCurrent: m.packCurrentA,
    StateOfCharge: m.stateOfCharge,
    MaxCellTemp: 24 + (m.coolantC - 22) * 0.15,
  };
}

function body(m: VehicleModel, counter: number): Record<string, number> {
  const [fl, fr, rl, rr] = m.doors;
  return {
    DoorFL: fl ?? 0,
    DoorFR: fr ?? 0,
    DoorRL: rl ?? 0,
    DoorRR: rr ?? 0,
    Trunk: m.trunk,
    Locked: m.locked,
    WindowFL: m.windowFL,
    WindowFR: m.windowFR,
    AliveCounter: counter,
  };
}
