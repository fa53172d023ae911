import type { ShadowAddress } from "../ShadowTopic.js";

/**
 * A name for a shadow that is safe as a file name and unique per address: bytes outside
 * `[A-Za-z0-9_-]` are written `%XX`, so the `.` separating thing and shadow name cannot occur
 * inside either. The classic shadow and a named one called like it get different prefixes.
 */
export function shadowKey(address: ShadowAddress): string {
  const thing = escapeName(address.thing);
  return address.shadowName === undefined
    ? `classic.${thing}`
    : `named.${thing}.${escapeName(address.shadowName)}`;
}

function escapeName(name: string): string {
  let escaped = "";
  for (const byte of Buffer.from(name, "utf8")) {
    const char = String.fromCharCode(byte);
    escaped += /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return escaped;
}
