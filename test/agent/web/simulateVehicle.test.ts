import { describe, expect, it } from "vitest";
import type { JsonValue } from "../../../agent/shadow/JsonValue.js";
import { simulateVehicle } from "../../../agent/web/simulateVehicle.js";
import { sampleBodyMap } from "../../../config/sampleBodyMap.js";

function fakeVehicle() {
  const changes: [string, JsonValue][] = [];
  return {
    changes,
    sent: 0,
    speed: 0,
    maxSpeed: 300,
    respond: true,
    set(field: string, value: JsonValue) {
      changes.push([field, value]);
    },
    sendStatus() {
      this.sent++;
    },
  };
}

describe("the simulator hook of the embedded default", () => {
  it("sets fields, speed and silence, then sends the status once", () => {
    const vehicle = fakeVehicle();
    const problems = simulateVehicle(vehicle, sampleBodyMap,
      { door: "ajar", windowFR: 40, speed: 12.5, respond: false });
    expect(problems).toEqual([]);
    expect(vehicle.changes).toEqual([["door", "ajar"], ["windowFR", 40]]);
    expect(vehicle.speed).toBe(12.5);
    expect(vehicle.respond).toBe(false);
    expect(vehicle.sent).toBe(1);
  });

  it("lists every bad key and changes nothing", () => {
    const vehicle = fakeVehicle();
    const problems = simulateVehicle(vehicle, sampleBodyMap,
      { door: "wide", windowFL: 101, speed: -1, respond: "no", hood: "open", lock: "locked" });
    expect(problems).toEqual([
      'door: expected "closed" or "open" or "ajar" or "error", found "wide"',
      "windowFL: expected 0–100, found 101",
      "speed: expected a speed from 0 to 300, found -1",
      'respond: expected true or false, found "no"',
      "hood: expected speed, respond or one of door, lock, trunk, windowFL, windowFR",
    ]);
    expect(vehicle.changes).toEqual([]);
    expect(vehicle.sent).toBe(0);
  });

  it("refuses a speed its speed message cannot carry, which the ECU could never send", () => {
    const vehicle = fakeVehicle();
    for (const speed of [300.5, 1e308]) {
      expect(simulateVehicle(vehicle, sampleBodyMap, { speed, door: "open" }))
        .toEqual([`speed: expected a speed from 0 to 300, found ${JSON.stringify(speed)}`]);
    }
    expect([vehicle.speed, vehicle.sent, vehicle.changes]).toEqual([0, 0, []]);
  });

  it("refuses a body that is not an object, or an empty one", () => {
    const vehicle = fakeVehicle();
    expect(simulateVehicle(vehicle, sampleBodyMap, [1])).toEqual(["expected a JSON object"]);
    expect(simulateVehicle(vehicle, sampleBodyMap, {}))
      .toEqual(["expected at least one field, speed or respond"]);
  });
});
