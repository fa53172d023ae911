import type { CanBus } from "../../drivers/can/CanBus.js";

/** One bus a capture listens on. */
export interface CaptureBus {
  /** The target as the user wrote it, e.g. `virtual:dut` or `socketcan:can0`. */
  readonly target: string;
  /** The channel name captured frames get: the bus or interface name. */
  readonly channel: string;
  readonly bus: CanBus;
  /** False when the endpoint belongs to a replay output, which closes it. */
  readonly owned: boolean;
}
