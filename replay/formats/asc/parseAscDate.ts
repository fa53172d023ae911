const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
  // CANoe writes the date in the Windows locale; German installations are common.
  "mär": 2, mrz: 2, mai: 4, okt: 9, dez: 11,
};

const DATE =
  /^\S+\s+(\S+)\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s+(?:(am|pm)\s+)?(\d{4})$/i;

/**
 * Epoch nanoseconds of an ASC date such as `Thu Apr 28 10:44:52.480 am 2022` or
 * `Sam Sep 30 15:06:13.191 2017` (the weekday is ignored: it is localized and redundant).
 * ASC dates carry no zone: the time is taken as UTC shifted by `utcOffsetMinutes`, the offset
 * of the recorder's local time (120 for CEST). Returns undefined when the text is no such date.
 */
export function parseAscDate(text: string, utcOffsetMinutes = 0): bigint | undefined {
  const m = DATE.exec(text.trim());
  if (!m) return undefined;
  const [, monthName = "", day = "", hh = "", mm = "", ss = "", frac = "", ampm, year = ""] = m;
  const month = MONTHS[monthName.toLowerCase().slice(0, 3)];
  if (month === undefined) return undefined;

  let hour = Number(hh);
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (ampm.toLowerCase() === "pm" ? 12 : 0);
  }
  const ms = Date.UTC(Number(year), month, Number(day), hour, Number(mm), Number(ss));
  if (Number.isNaN(ms) || hour > 23 || Number(mm) > 59 || Number(ss) > 60) return undefined;
  const fracNs = BigInt(frac.padEnd(9, "0"));
  return BigInt(ms) * 1_000_000n + fracNs - BigInt(utcOffsetMinutes) * 60_000_000_000n;
}
