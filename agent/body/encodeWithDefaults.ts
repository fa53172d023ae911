import { makeFrame } from "../../drivers/can/CanFrame.js";
import type { CanFrame } from "../../drivers/can/CanFrame.js";
import type { Dbc } from "../../drivers/dbc/Dbc.js";
import { DbcError } from "../../drivers/dbc/DbcError.js";
import type { SignalValues } from "./BodyMap.js";

/**
 * A frame of `messageName` with the given signals and every other signal at raw 0 (its
 * offset): the DBC codec wants every signal, and 0 is "no request" in command messages.
 */
export function encodeWithDefaults(
  dbc: Dbc,
  messageName: string,
  values: SignalValues,
  channel: string,
): CanFrame {
  const message = dbc.messageByName(messageName);
  if (message === undefined) {
    throw new DbcError(dbc.file, `BO_ ${messageName}`, `expected a message ${messageName}`);
  }
  const all: Record<string, number | string> = {};
  for (const signal of message.signals) all[signal.name] = signal.offset;
  Object.assign(all, values);
  const data = dbc.encode(messageName, all);
  return makeFrame(message.id, data, { extended: message.extended, fd: message.fd, channel });
}
