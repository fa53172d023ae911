import { readFileSync } from "node:fs";

/** One reference line: recorded time in microseconds, channel, frame text. */
export interface TruthLine {
  timeUs: bigint;
  channel: string;
  frame: string;
}

/** Reads a `*.candump` reference file of ../shared/data/truth. */
export function truthLines(path: string): TruthLine[] {
  return readFileSync(path, "utf8").split("\n").filter((l) => l !== "").map((line) => {
    const match = /^\((\d+)\.(\d{6})\) (\S+) (\S+)$/.exec(line);
    if (!match) throw new Error(`${path}: expected a candump line, found ${line}`);
    const [, sec, usec, channel, frame] = match as unknown as string[];
    return { timeUs: BigInt(sec!) * 1_000_000n + BigInt(usec!), channel: channel!,
      frame: frame! };
  });
}
