import { readFileSync } from "node:fs";
import { join } from "node:path";
import { makeFrame, type CanFrame } from "../../../../drivers/can/CanFrame.js";
import { parseDbc, type Dbc, type SignalInput } from "../../../../drivers/dbc/index.js";
import { repoRoot } from "../../../support/sharedData.js";

export const SAMPLE_DBC_PATH = join(repoRoot, "config", "dbc", "roadrig-sample.dbc");

/** roadrig's own sample DBC, the one the embedded default ships. */
export function sampleDbc(): Dbc {
  return parseDbc(readFileSync(SAMPLE_DBC_PATH), { file: "roadrig-sample.dbc" });
}

/** A frame of `message` carrying `values`, encoded with the DBC. */
export function frameOf(
  dbc: Dbc,
  message: string,
  values: Readonly<Record<string, SignalInput>>,
): CanFrame {
  const m = dbc.messageByName(message);
  if (!m) throw new Error(`no message ${message}`);
  const all: Record<string, SignalInput> = {};
  for (const s of m.signals) all[s.name] = values[s.name] ?? Math.max(0, s.min);
  return makeFrame(m.id, dbc.encode(message, all), { extended: m.extended });
}
