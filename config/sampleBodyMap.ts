import type { BodyMap } from "../agent/body/BodyMap.js";

const closure = { "0": "closed", "1": "open", "2": "ajar", "3": "error" } as const;

/**
 * The body of roadrig's sample vehicle (config/dbc/roadrig-sample.dbc): the front-left door,
 * its lock, the trunk and the two front windows (percent open), refused above 3 km/h.
 */
export const sampleBodyMap: BodyMap = {
  fields: {
    door: {
      kind: "enum",
      command: {
        message: "BodyCommand",
        values: { open: { DoorFLRequest: 1 }, closed: { DoorFLRequest: 2 } },
      },
      status: { message: "BodyStatus", signal: "DoorFL", values: closure },
      opening: ["open"],
    },
    lock: {
      kind: "enum",
      command: {
        message: "BodyCommand",
        values: { locked: { LockRequest: 1 }, unlocked: { LockRequest: 2 } },
      },
      status: { message: "BodyStatus", signal: "Locked", values: { "0": "unlocked", "1": "locked" } },
    },
    trunk: {
      kind: "enum",
      command: {
        message: "BodyCommand",
        values: { open: { TrunkRequest: 1 }, closed: { TrunkRequest: 2 } },
      },
      status: { message: "BodyStatus", signal: "Trunk", values: closure },
      opening: ["open"],
    },
    windowFL: window("FL"),
    windowFR: window("FR"),
  },
  interlock: { message: "VehicleDynamics", signal: "VehicleSpeed", maxSpeed: 3, maxAgeMs: 1000 },
};

function window(position: "FL" | "FR"): BodyMap["fields"][string] {
  return {
    kind: "position",
    min: 0,
    max: 100,
    command: {
      message: "BodyCommand",
      signal: `Window${position}Target`,
      with: { [`Window${position}Request`]: 1 },
    },
    // The status signal's step is 0.5 %.
    status: { message: "BodyStatus", signal: `Window${position}`, tolerance: 0.25 },
    opening: "increase",
  };
}
