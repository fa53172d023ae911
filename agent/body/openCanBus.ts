import type { CanBus } from "../../drivers/can/CanBus.js";
import { SocketCanBus } from "../../drivers/can/socketcan/SocketCanBus.js";
import { VirtualBus } from "../../drivers/can/virtual/VirtualBus.js";

/** `virtual:<name>` (in-process) or `socketcan:<interface>`. */
export function openCanBus(spec: string, endpointName: string): CanBus {
  const [kind, name] = splitOnce(spec, ":");
  if (kind === "virtual" && name) return VirtualBus.endpoint(name, endpointName);
  if (kind === "socketcan" && name) return SocketCanBus.open(name);
  throw new Error(`CAN bus '${spec}': expected virtual:<name> or socketcan:<interface>`);
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}
