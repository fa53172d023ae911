import type { SampleMessage, SampleSignal } from "./SampleMessage.js";

function sig(
  name: string,
  startBit: number,
  length: number,
  scale: [factor: number, offset: number],
  range: [min: number, max: number],
  unit: string,
  extra: Partial<SampleSignal> = {},
): SampleSignal {
  const [factor, offset] = scale;
  const [min, max] = range;
  return { name, startBit, length, factor, offset, min, max, unit, ...extra };
}

const counter = (startBit: number): SampleSignal =>
  sig("AliveCounter", startBit, 4, [1, 0], [0, 15], "", { comment: "Rolls over 0-15." });

const cellSignals = Array.from({ length: 12 }, (_, i) =>
  sig(`CellVoltage${String(i + 1).padStart(2, "0")}`, 64 + i * 16, 16, [0.001, 0], [0, 5], "V"),
);

/** value tables (VAL_) the signals refer to by name */
export const SAMPLE_VALUE_TABLES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  GearSelector: { 0: "P", 1: "R", 2: "N", 3: "D" },
  ClosureState: { 0: "Closed", 1: "Open", 2: "Ajar", 3: "Error" },
  LockCommand: { 0: "NoRequest", 1: "Lock", 2: "Unlock", 3: "Invalid" },
  TrunkCommand: { 0: "NoRequest", 1: "Open", 2: "Close", 3: "Invalid" },
  DoorCommand: { 0: "NoRequest", 1: "Open", 2: "Close", 3: "Invalid" },
};

/**
 * The messages of roadrig's sample drive: powertrain on can0, body on can1. The DBC in
 * config/dbc/roadrig-sample.dbc is rendered from these definitions (sampleDbcText).
 */
export const SAMPLE_MESSAGES: readonly SampleMessage[] = [
  {
    name: "EngineData",
    id: 0x0c0,
    extended: false,
    fd: false,
    channel: "can0",
    length: 8,
    periodMs: 10,
    sender: "ECM",
    fill: 0,
    comment: "Engine state from the engine control module.",
    signals: [
      sig("EngineSpeed", 0, 16, [0.25, 0], [0, 16000], "rpm"),
      sig("CoolantTemp", 16, 8, [1, -40], [-40, 215], "degC"),
      sig("ThrottlePosition", 24, 8, [0.4, 0], [0, 100], "%"),
      sig("EngineTorque", 32, 16, [0.5, 0], [-1000, 1000], "Nm", { signed: true }),
      counter(56),
    ],
  },
  {
    name: "VehicleDynamics",
    id: 0x0d0,
    extended: false,
    fd: false,
    channel: "can0",
    length: 8,
    periodMs: 10,
    sender: "ESC",
    fill: 0,
    comment: "Vehicle speed and longitudinal acceleration.",
    signals: [
      sig("VehicleSpeed", 0, 16, [0.01, 0], [0, 300], "km/h"),
      sig("LongitudinalAccel", 16, 16, [0.001, 0], [-20, 20], "m/s^2", { signed: true }),
      counter(56),
    ],
  },
  {
    name: "WheelSpeeds",
    id: 0x1a0,
    extended: false,
    fd: false,
    channel: "can0",
    length: 8,
    periodMs: 20,
    sender: "ESC",
    fill: 0,
    comment: "Speed of each wheel.",
    signals: [
      sig("WheelSpeedFL", 0, 16, [0.01, 0], [0, 300], "km/h"),
      sig("WheelSpeedFR", 16, 16, [0.01, 0], [0, 300], "km/h"),
      sig("WheelSpeedRL", 32, 16, [0.01, 0], [0, 300], "km/h"),
      sig("WheelSpeedRR", 48, 16, [0.01, 0], [0, 300], "km/h"),
    ],
  },
  {
    name: "Pedals",
    id: 0x1b0,
    extended: false,
    fd: false,
    channel: "can0",
    length: 4,
    periodMs: 20,
    sender: "VCU",
    fill: 0,
    comment: "Driver pedal positions.",
    signals: [
      sig("AcceleratorPedal", 0, 8, [0.4, 0], [0, 100], "%"),
      sig("BrakePedal", 8, 8, [0.4, 0], [0, 100], "%"),
      sig("BrakeSwitch", 16, 1, [1, 0], [0, 1], ""),
      counter(24),
    ],
  },
  {
    name: "Transmission",
    id: 0x1c0,
    extended: false,
    fd: false,
    channel: "can0",
    length: 2,
    periodMs: 50,
    sender: "TCM",
    fill: 0,
    comment: "Selector position and engaged gear.",
    signals: [
      sig("GearSelector", 0, 4, [1, 0], [0, 3], "", { values: "GearSelector" }),
      sig("CurrentGear", 4, 4, [1, 0], [0, 8], ""),
      counter(8),
    ],
  },
  {
    name: "CCVS1",
    id: 0x18fef100,
    extended: true,
    fd: false,
    channel: "can0",
    length: 8,
    periodMs: 100,
    sender: "ECM",
    fill: 0xff,
    comment: "J1939 Cruise Control/Vehicle Speed 1 (PGN 65265) from source address 0x00.",
    signals: [
      sig("ParkingBrakeSwitch", 2, 2, [1, 0], [0, 3], ""),
      sig("WheelBasedVehicleSpeed", 8, 16, [1 / 256, 0], [0, 250.996], "km/h"),
      sig("BrakeSwitch", 28, 2, [1, 0], [0, 3], ""),
    ],
  },
  {
    name: "HvBatteryStatus",
    id: 0x300,
    extended: false,
    fd: true,
    channel: "can0",
    length: 32,
    periodMs: 100,
    sender: "BMS",
    fill: 0,
    comment: "High-voltage battery pack and cell voltages (CAN FD, 32 bytes).",
    signals: [
      sig("PackVoltage", 0, 16, [0.1, 0], [0, 1000], "V"),
      sig("PackCurrent", 16, 16, [0.1, 0], [-1000, 1000], "A", { signed: true }),
      sig("StateOfCharge", 32, 8, [0.5, 0], [0, 100], "%"),
      sig("MaxCellTemp", 40, 8, [1, -40], [-40, 125], "degC"),
      ...cellSignals,
    ],
  },
  {
    name: "BodyStatus",
    id: 0x3a0,
    extended: false,
    fd: false,
    channel: "can1",
    length: 8,
    periodMs: 100,
    sender: "BCM",
    fill: 0,
    comment: "Doors, trunk, windows and lock as the body control module sees them.",
    signals: [
      sig("DoorFL", 0, 2, [1, 0], [0, 3], "", { values: "ClosureState" }),
      sig("DoorFR", 2, 2, [1, 0], [0, 3], "", { values: "ClosureState" }),
      sig("DoorRL", 4, 2, [1, 0], [0, 3], "", { values: "ClosureState" }),
      sig("DoorRR", 6, 2, [1, 0], [0, 3], "", { values: "ClosureState" }),
      sig("Trunk", 8, 2, [1, 0], [0, 3], "", { values: "ClosureState" }),
      sig("Locked", 10, 1, [1, 0], [0, 1], ""),
      sig("WindowFL", 16, 8, [0.5, 0], [0, 100], "%"),
      sig("WindowFR", 24, 8, [0.5, 0], [0, 100], "%"),
      counter(56),
    ],
  },
  {
    name: "BodyCommand",
    id: 0x3b0,
    extended: false,
    fd: false,
    channel: "can1",
    length: 4,
    periodMs: 0,
    sender: "TCU",
    fill: 0,
    comment: "Requests to the body control module, sent when something should change.",
    signals: [
      sig("LockRequest", 0, 2, [1, 0], [0, 3], "", { values: "LockCommand" }),
      sig("TrunkRequest", 2, 2, [1, 0], [0, 3], "", { values: "TrunkCommand" }),
      sig("WindowFLTarget", 8, 8, [0.5, 0], [0, 100], "%"),
      sig("WindowFLRequest", 16, 1, [1, 0], [0, 1], ""),
      sig("WindowFRRequest", 17, 1, [1, 0], [0, 1], ""),
      sig("DoorFLRequest", 18, 2, [1, 0], [0, 3], "", { values: "DoorCommand" }),
      sig("WindowFRTarget", 24, 8, [0.5, 0], [0, 100], "%"),
    ],
  },
];

export function sampleMessage(name: string): SampleMessage {
  const message = SAMPLE_MESSAGES.find((m) => m.name === name);
  if (!message) throw new Error(`no sample message ${name}`);
  return message;
}
