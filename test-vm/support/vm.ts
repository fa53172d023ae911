import { existsSync } from "node:fs";

/** Inside the test VM vm/run.sh boots: vcan0 (MTU 72) and vcan1 exist. */
export const inVm = process.env.ROADRIG_VM === "1" && existsSync("/sys/class/net/vcan0");

/** CI, or a developer who asked for it: the suite not running is then a failure. */
export const vmRequired = process.env.ROADRIG_REQUIRE_VM === "1" || process.env.CI === "true";
