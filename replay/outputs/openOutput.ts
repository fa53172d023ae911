import { SocketCanBus } from "../../drivers/can/socketcan/SocketCanBus.js";
import { VirtualBus } from "../../drivers/can/virtual/VirtualBus.js";
import { ReplayOptionError } from "../ReplayOptionError.js";
import { CanBusOutput } from "./CanBusOutput.js";
import { CandumpOutput } from "./CandumpOutput.js";
import type { ReplayOutput } from "./ReplayOutput.js";

export interface OpenOutputOptions {
  /** Whether the replay is paced (rate > 0): text outputs then write line by line. */
  paced: boolean;
}

export const outputForms = ["socketcan:<interface>", "virtual:<bus>", "candump:<path|->"];

/** Opens a target `socketcan:can0`, `virtual:rig` or `candump:out.log` / `candump:-`. */
export function openOutput(target: string, options: OpenOutputOptions): ReplayOutput {
  const colon = target.indexOf(":");
  const scheme = colon < 0 ? target : target.slice(0, colon);
  const rest = colon < 0 ? "" : target.slice(colon + 1);
  if (rest === "") throw badTarget(target);
  switch (scheme) {
    case "socketcan": {
      const bus = SocketCanBus.open(rest);
      const details = () => {
        const { refused, rejected, dropped, skippedErrorFrames, inexact } = bus.stats();
        return { refused, rejected, dropped, skippedErrorFrames, inexact };
      };
      return new CanBusOutput(target, bus, details);
    }
    case "virtual":
      return new CanBusOutput(target, VirtualBus.endpoint(rest, "replay"));
    case "candump":
      return CandumpOutput.open(rest, options);
    default:
      throw badTarget(target);
  }
}

function badTarget(target: string): ReplayOptionError {
  return new ReplayOptionError(`--to ${target}: expected ${outputForms.join(", ")}`);
}
