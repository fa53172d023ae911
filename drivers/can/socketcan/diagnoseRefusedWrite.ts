import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CanFrame } from "../CanFrame.js";
import type { KernelPaths } from "./diagnoseChannelError.js";

/**
 * Why the kernel refused a write, in errno's words: ENOBUFS (the transmit queue is full: worth
 * retrying), ENETDOWN (the interface is down), ENODEV (it is gone), EINVAL (a CAN FD frame on an
 * interface whose MTU is classic CAN's 16 bytes: never accepted).
 */
export type RefusalCause = "ENOBUFS" | "ENETDOWN" | "ENODEV" | "EINVAL";

/** `canfd_frame` is 72 bytes; an interface with a smaller MTU takes classic frames only. */
const CANFD_MTU = 72;
const IFF_UP = 0x1;

/**
 * The addon returns -1 without errno for every refused write, so the cause is read back from
 * the interface's state in sysfs, right after the refusal.
 */
export function diagnoseRefusedWrite(
  iface: string,
  frame: CanFrame,
  paths: KernelPaths,
): RefusalCause {
  const dir = join(paths.sysClassNet, iface);
  const flags = readNumber(join(dir, "flags"));
  if (flags === undefined) return "ENODEV";
  if ((flags & IFF_UP) === 0) return "ENETDOWN";
  const mtu = readNumber(join(dir, "mtu"));
  if (frame.fd && mtu !== undefined && mtu < CANFD_MTU) return "EINVAL";
  return "ENOBUFS";
}

/** True when the interface exists and is administratively up. */
export function interfaceIsUp(iface: string, paths: KernelPaths): boolean {
  const flags = readNumber(join(paths.sysClassNet, iface, "flags"));
  return flags !== undefined && (flags & IFF_UP) !== 0;
}

function readNumber(path: string): number | undefined {
  try {
    const value = Number(readFileSync(path, "utf8").trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
