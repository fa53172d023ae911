import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SimulatedBodyEcu } from "../../../../agent/body/sim/SimulatedBodyEcu.js";
import { defaultAgentConfig } from "../../../../config/defaultAgentConfig.js";
import { sampleBodyMap } from "../../../../config/sampleBodyMap.js";
import { VirtualBus } from "../../../../drivers/can/virtual/VirtualBus.js";
import { parseDbc } from "../../../../drivers/dbc/parseDbc.js";

describe("the simulated body ECU's speed", () => {
  const file = defaultAgentConfig().dbc;
  const dbc = parseDbc(readFileSync(file), { file });

  it("sends any speed up to maxSpeed, which is the sample DBC's VehicleSpeed range", async () => {
    const bus = VirtualBus.endpoint(`sim-ecu-${process.pid}`, "ecu");
    const ecu = new SimulatedBodyEcu({ bus, dbc, map: sampleBodyMap, periodMs: 0 });
    try {
      expect(ecu.maxSpeed).toBe(300);
      ecu.speed = ecu.maxSpeed;
      expect(() => ecu.sendStatus()).not.toThrow();
      ecu.speed = ecu.maxSpeed + 1;
      expect(() => ecu.sendStatus()).toThrow(/VehicleSpeed/);
    } finally {
      ecu.stop();
      await bus.close();
    }
  });
});
