import type { Schema } from "./Schema.js";
import { int, list, map, num, obj, oneOf, opt, str } from "./schemaBuilders.js";
import { isRecord } from "./validate.js";

const signalValues = (doc: string): Schema =>
  map(doc, "<signal>", { type: "scalar", doc: "Physical value or value label.",
    types: ["number", "string"] });

const enumField = obj("A field with a few named states (door, lock, trunk).", {
  kind: oneOf("The field's kind.", ["enum"]),
  command: obj("The CAN command sent for a desired value.", {
    message: str("DBC message of the command."),
    values: map("Shadow value → the command's signals (signals left out are sent as raw 0).",
      "<value>", signalValues("Signals of the command for this shadow value.")),
  }),
  status: obj("The status signal the body ECU reports.", {
    message: str("DBC message of the status."),
    signal: str("Status signal in that message."),
    values: map("Physical status value (as a decimal string) → shadow value.", "<status>",
      str("Shadow value for this status.")),
  }),
  opening: opt(list("Desired values the speed interlock refuses above the limit.",
    str("A shadow value."))),
});

const positionField = obj("A field holding a number in a range (a window's position).", {
  kind: oneOf("The field's kind.", ["position"]),
  min: num("Smallest desired value."),
  max: num("Largest desired value."),
  command: obj("The CAN command sent for a desired value.", {
    message: str("DBC message of the command."),
    signal: str("The signal that carries the desired value."),
    with: opt(signalValues("Further signals sent with it (a request flag).")),
  }),
  status: obj("The status signal the body ECU reports.", {
    message: str("DBC message of the status."),
    signal: str("Status signal in that message."),
    tolerance: num("A status this close to the desired value confirms it.", { min: 0 }),
  }),
  opening: opt(oneOf("Direction the interlock refuses above the speed limit.",
    ["increase", "decrease"])),
});

/** A vehicle's body map (agent/body/BodyMap.ts), or `"sample"` for roadrig's sample vehicle. */
export const bodyMapSchema: Schema = {
  type: "union",
  doc: "Ties shadow fields to CAN commands and status signals; \"sample\" is the sample vehicle.",
  default: "sample",
  expected: "\"sample\" or a body map { fields, interlock }",
  select: (v) => (typeof v === "string" ? "name" : isRecord(v) ? "map" : undefined),
  variants: {
    name: oneOf("A built-in body map.", ["sample"]),
    map: obj("The vehicle's own body map.", {
      fields: map("Shadow fields of the body, by name.", "<field>", {
        type: "union",
        doc: "One shadow field.",
        tag: "kind",
        expected: "\"enum\" or \"position\"",
        select: (v) => (isRecord(v) && typeof v.kind === "string" ? v.kind : undefined),
        variants: { enum: enumField, position: positionField },
      }),
      interlock: obj("The vehicle speed that refuses opening while driving.", {
        message: str("DBC message carrying the speed."),
        signal: str("Speed signal in that message."),
        maxSpeed: num("Opening is refused above this speed, in the signal's unit."),
        maxAgeMs: int("A speed older than this counts as unknown (and refuses opening)."),
      }),
    }),
  },
};
