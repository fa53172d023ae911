import { existsSync } from "node:fs";
import { join } from "node:path";
import { SocketCanError } from "./SocketCanError.js";

/** Where the kernel shows what it has; tests point these at folders they build. */
export interface KernelPaths {
  /** Present once the kernel's CAN protocol family (AF_CAN) is loaded. */
  procNetCan: string;
  /** One entry per network interface. */
  sysClassNet: string;
}

export const defaultKernelPaths: KernelPaths = {
  procNetCan: "/proc/net/can",
  sysClassNet: "/sys/class/net",
};

/**
 * The addon reports every failure to open a channel as "Error while creating channel", without
 * errno. The kernel's own files tell the two usual causes apart: no AF_CAN at all, or no such
 * interface.
 */
export function diagnoseChannelError(
  iface: string,
  cause: unknown,
  paths: KernelPaths = defaultKernelPaths,
): SocketCanError {
  const hasAfCan = existsSync(paths.procNetCan);
  const hasIface = existsSync(join(paths.sysClassNet, iface));
  if (!hasAfCan) {
    const ifaceNote = hasIface ? "" : `; interface ${iface} does not exist either`;
    return new SocketCanError(
      "E_NO_AF_CAN",
      iface,
      `socketcan:${iface}: this kernel has no SocketCAN support (AF_CAN: ${paths.procNetCan} ` +
        `is missing; load the can and can-raw modules)${ifaceNote}`,
      { cause },
    );
  }
  if (!hasIface) {
    return new SocketCanError(
      "E_NO_INTERFACE",
      iface,
      `socketcan:${iface}: network interface ${iface} does not exist ` +
        `(create it, e.g. ip link add dev ${iface} type vcan)`,
      { cause },
    );
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new SocketCanError(
    "E_CHANNEL",
    iface,
    `socketcan:${iface}: cannot open a raw CAN socket on ${iface} (is it a CAN interface, ` +
      `and up?): ${detail}`,
    { cause },
  );
}
