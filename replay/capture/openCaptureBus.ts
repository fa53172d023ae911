import type { CanBus } from "../../drivers/can/CanBus.js";
import { SocketCanBus } from "../../drivers/can/socketcan/SocketCanBus.js";
import { VirtualBus } from "../../drivers/can/virtual/VirtualBus.js";
import { ReplayOptionError } from "../ReplayOptionError.js";
import type { CaptureBus } from "./CaptureBus.js";

export const captureForms = ["virtual:<bus>", "socketcan:<interface>"];

/**
 * Opens `virtual:<bus>` or `socketcan:<if>` for capture. When the replay already sends on that
 * target, its endpoint is shared (`outputBus`): an endpoint does not receive its own frames, so
 * the capture holds what the others on the bus sent (the DUT's answers), not the replay.
 */
export function openCaptureBus(
  target: string,
  outputBus: (target: string) => CanBus | undefined,
): CaptureBus {
  const colon = target.indexOf(":");
  const scheme = target.slice(0, Math.max(0, colon));
  const channel = target.slice(colon + 1);
  if (colon < 0 || channel === "" || (scheme !== "virtual" && scheme !== "socketcan")) {
    throw new ReplayOptionError(`--capture ${target}: expected ${captureForms.join(" or ")}`);
  }
  const shared = outputBus(target);
  if (shared) return { target, channel, bus: shared, owned: false };
  const bus = scheme === "virtual"
    ? VirtualBus.endpoint(channel, "capture")
    : SocketCanBus.open(channel);
  return { target, channel, bus, owned: true };
}
