import { describe, expect, it } from "vitest";
import { parseAscDate } from "../../../../replay/formats/asc/parseAscDate.js";

const ns = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

describe("parseAscDate", () => {
  it("reads 12-hour dates with milliseconds as UTC", () => {
    expect(parseAscDate("Thu Apr 28 10:44:52.480 am 2022")).toBe(ns("2022-04-28T10:44:52.480Z"));
    expect(parseAscDate("Sat Sep 30 10:06:13.191 PM 2017")).toBe(ns("2017-09-30T22:06:13.191Z"));
  });

  it("maps 12 am to midnight and 12 pm to noon", () => {
    expect(parseAscDate("Mon Jan 1 12:00:00 am 2024")).toBe(ns("2024-01-01T00:00:00Z"));
    expect(parseAscDate("Mon Jan 1 12:30:00 pm 2024")).toBe(ns("2024-01-01T12:30:00Z"));
  });

  it("reads 24-hour dates with localized weekdays and German months", () => {
    expect(parseAscDate("Sam Sep 30 15:06:13.191 2017")).toBe(ns("2017-09-30T15:06:13.191Z"));
    expect(parseAscDate("Die Okt 3 08:00:00 2023")).toBe(ns("2023-10-03T08:00:00Z"));
    expect(parseAscDate("Fri Feb 14 08:51:20 am 2020")).toBe(ns("2020-02-14T08:51:20Z"));
  });

  it("shifts by the recorder's UTC offset", () => {
    expect(parseAscDate("Thu Apr 28 10:44:52 am 2022", 120)).toBe(ns("2022-04-28T08:44:52Z"));
  });

  it("returns undefined for text that is no ASC date", () => {
    expect(parseAscDate("yesterday")).toBeUndefined();
    expect(parseAscDate("Thu Foo 28 10:44:52 2022")).toBeUndefined();
    expect(parseAscDate("Thu Apr 28 13:44:52 pm 2022")).toBeUndefined();
    expect(parseAscDate("Thu Apr 28 25:44:52 2022")).toBeUndefined();
  });
});
