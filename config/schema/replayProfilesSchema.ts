import type { ObjectSchema, Schema } from "./Schema.js";
import { bool, list, map, num, obj, oneOf, opt, str } from "./schemaBuilders.js";
import { isRecord } from "./validate.js";

/** One string, or a list of them (a repeatable flag). */
const strings = (doc: string): Schema => ({
  type: "union",
  doc,
  optional: true,
  expected: "a string or a list of strings",
  select: (v) => (typeof v === "string" ? "one" : Array.isArray(v) ? "many" : undefined),
  variants: { one: str(doc), many: list(doc, str("One value.")) },
});

const seconds = (doc: string, min = 0) => opt(num(`${doc}, seconds.`, { min }));

/** A number or `forever`, as `--loop` takes it. */
const loop: Schema = {
  type: "union",
  doc: "Play the window n times, or `forever`.",
  optional: true,
  expected: "an integer >= 1 or \"forever\"",
  select: (v) => (typeof v === "number" ? "count" : typeof v === "string" ? "word" : undefined),
  variants: {
    count: num("Passes.", { integer: true, min: 1 }),
    word: oneOf("Forever.", ["forever"]),
  },
};

/** The flags of `roadrig replay` a profile may hold, by their camelCase names. */
export const replayProfileSchema = obj("Flags of `roadrig replay`; the command line wins.", {
  to: strings("Outputs (`--to`), e.g. `socketcan:vcan0`, `udp:127.0.0.1:9000`."),
  rate: opt(num("Speed factor; 0 = as fast as possible (`--rate`).", { min: 0 })),
  start: seconds("Begin this far into the merged logs (`--start`)"),
  duration: seconds("Play this much log time (`--duration`)"),
  loop,
  maxGap: seconds("Shorten longer gaps between frames to this (`--max-gap`)"),
  timeJumps: opt(oneOf("Backward timestamps (`--time-jumps`).", ["error", "reanchor"])),
  offset: strings("Shift one log: `SRC=SECONDS` (`--offset`)."),
  channel: strings("Replay only these recorded channels (`--channel`)."),
  idFilter: strings("CAN IDs in hex: `123`, `100-1FF`, `!123` (`--id-filter`)."),
  map: strings("Send channel IN's frames on OUT: `OUT=IN` (`--map`)."),
  json: opt(bool("Print the summary as JSON (`--json`).")),
  progress: opt(bool("Progress line on a terminal (`--no-progress` is false).")),
  cacheDir: opt(str("NAS cache folder for s3:// logs (`--cache-dir`).", { path: "dir" })),
  capture: strings("Buses to record the DUT's frames on (`--capture`)."),
  captureFilter: strings("CAN IDs to record, as idFilter (`--capture-filter`)."),
  captureFormat: opt(oneOf("Capture file format (`--capture-format`).", ["mf4", "candump"])),
  captureFile: opt(str("Capture file (`--capture-file`).")),
  captureLinger: seconds("Keep recording this long after the last frame (`--capture-linger`)"),
  results: opt(str("Results bundle: `s3://bucket/prefix/` or a folder (`--results`).")),
  resultsTimeout: seconds("Longest wait for the results upload (`--results-timeout`)"),
});

/** A replay profiles file: named sets of `roadrig replay` flags. */
export const replayProfilesSchema: ObjectSchema = obj("Replay profiles.", {
  profiles: map("Profiles by name (`roadrig replay --profile NAME`).", "<profile>",
    replayProfileSchema),
});

export const isProfilesFile = (value: unknown): boolean =>
  isRecord(value) && "profiles" in value;
