import { randomBytes } from "node:crypto";

/**
 * A run's id: UTC time to the second, then 6 random hex digits so that runs started in the
 * same second on several rigs do not share a results folder. Sorts by time.
 */
export function newRunId(now = new Date(), random: () => string = randomHex): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${random()}`;
}

function randomHex(): string {
  return randomBytes(3).toString("hex");
}
