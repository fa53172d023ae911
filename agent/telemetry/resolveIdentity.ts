import { createHmac } from "node:crypto";
import type { IdentityConfig } from "./TelemetryConfig.js";

/** The identifiers a batch carries: in clear, or as salted hashes. */
export interface VehicleIdentity {
  vehicle: string;
  identifiers: Record<string, string>;
}

/**
 * With `hashSalt`, every identifier becomes HMAC-SHA-256(salt, value) in hex: stable per vehicle
 * (so a backend can still group by it), not reversible without the salt, and not guessable from
 * the VIN's small structured space as a plain unsalted hash would be.
 */
export function resolveIdentity(config: IdentityConfig | undefined): VehicleIdentity {
  if (!config) return { vehicle: "unknown", identifiers: {} };
  const salt = config.hashSalt;
  const hide = (value: string) =>
    salt === undefined ? value : createHmac("sha256", salt).update(value, "utf8").digest("hex");
  const identifiers = Object.fromEntries(
    Object.entries(config.identifiers ?? {}).map(([key, value]) => [key, hide(value)]),
  );
  return { vehicle: hide(config.vin), identifiers };
}
