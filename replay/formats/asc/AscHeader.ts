import { parseAscDate } from "./parseAscDate.js";

/** What the lines around the trigger blocks say about the events. */
export interface AscHeader {
  /** Text of the `date` line, as written. */
  date?: string;
  /** Epoch nanoseconds of the `date` line, when it could be read. */
  startNs?: bigint;
  /** Number base of IDs, DLCs and data bytes. */
  base: 16 | 10;
  /** `relative`: each event's time counts from the previous event. */
  timestamps: "absolute" | "relative";
  internalEventsLogged?: boolean;
  /** From a `// version x.y.z` comment (the CANoe/CANalyzer version). */
  version?: string;
}

export function emptyAscHeader(): AscHeader {
  return { base: 16, timestamps: "absolute" };
}

const BASE = /^base\s+(hex|dec)(?:\s+timestamps\s+(absolute|relative))?\s*$/i;
const EVENTS = /^(no\s+)?internal\s+events\s+logged\s*$/i;
const TRIGGER = /^(begin|end)\s+triggerblock\b/i;
const VERSION = /^\/\/\s*version\s+(\S+)/i;

/**
 * Applies a header line (`date`, `base`, `internal events logged`, trigger block bounds,
 * `//` comments) and returns true; returns false for any other line. The first `date` wins:
 * later trigger blocks restate the time but the measurement started at the first.
 */
export function applyAscHeaderLine(
  header: AscHeader,
  text: string,
  utcOffsetMinutes: number,
): boolean {
  if (/^date\s/i.test(text)) {
    if (header.date === undefined) {
      header.date = text.replace(/^date\s+/i, "").trim();
      const startNs = parseAscDate(header.date, utcOffsetMinutes);
      if (startNs !== undefined) header.startNs = startNs;
    }
    return true;
  }
  const base = BASE.exec(text);
  if (base) {
    header.base = base[1]?.toLowerCase() === "dec" ? 10 : 16;
    if (base[2]) header.timestamps = base[2].toLowerCase() === "relative" ? "relative" : "absolute";
    return true;
  }
  const events = EVENTS.exec(text);
  if (events) {
    header.internalEventsLogged = events[1] === undefined;
    return true;
  }
  if (text.startsWith("//")) {
    const version = VERSION.exec(text);
    if (version?.[1] && header.version === undefined) header.version = version[1];
    return true;
  }
  return TRIGGER.test(text);
}
