import { describe, expect, it } from "vitest";
import { inVm, vmRequired } from "./support/vm.js";

describe("the CAN suite's VM", () => {
  it.runIf(vmRequired)("is where the suite runs (vcan0 up; run it with npm run test:can)", () => {
    expect(inVm).toBe(true);
  });

  it.runIf(inVm)("has vcan0 with the CAN FD MTU and vcan1 with the classic one", async () => {
    const { readFileSync } = await import("node:fs");
    expect(readFileSync("/sys/class/net/vcan0/mtu", "utf8").trim()).toBe("72");
    expect(readFileSync("/sys/class/net/vcan1/mtu", "utf8").trim()).toBe("16");
  });
});
