import type { CanBus } from "../../drivers/can/CanBus.js";
import { SocketCanBus } from "../../drivers/can/socketcan/SocketCanBus.js";
import type { SocketCanStateListener } from "../../drivers/can/socketcan/SocketCanState.js";

/**
 * Listens to a bus going down and coming back, where the bus can tell (SocketCAN); the
 * returned function removes the listener. A virtual bus never goes down: undefined.
 */
export function onBusState(
  bus: CanBus,
  listener: SocketCanStateListener,
): (() => void) | undefined {
  return bus instanceof SocketCanBus ? bus.onState(listener) : undefined;
}
