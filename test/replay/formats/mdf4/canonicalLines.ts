import { createHash } from "node:crypto";
import type { CanFrame } from "../../../../drivers/can/CanFrame.js";
import type { LogReader } from "../../../../replay/formats/LogReader.js";

/**
 * The canonical candump-style line of the shared truth files: `(<sec>.<usec>) <chan> <ID>#<DATA>`
 * (`##<flags>` for CAN FD), the time rounded to the microsecond, halves up.
 */
export function canonicalLine(timeNs: bigint, frame: CanFrame): string {
  const us = (timeNs + 500n) / 1000n;
  const sec = us / 1_000_000n;
  const frac = (us % 1_000_000n).toString().padStart(6, "0");
  const id = frame.id.toString(16).toUpperCase().padStart(frame.extended ? 8 : 3, "0");
  const data = Buffer.from(frame.data).toString("hex").toUpperCase();
  const sep = frame.fd ? `##${((frame.brs ? 1 : 0) | (frame.esi ? 2 : 0)).toString(16)}` : "#";
  return `(${sec}.${frac}) ${frame.channel} ${id}${sep}${data}`;
}

/** Canonical lines of every data frame a reader yields (absolute times). */
export async function canonicalLines(reader: LogReader): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of reader.batches()) {
    for (const r of batch) {
      if (r.kind !== "frame" || r.frame.remote || r.frame.error) continue;
      lines.push(canonicalLine(reader.startNs + BigInt(r.timeNs), r.frame));
    }
  }
  return lines;
}

export function sha256Lines(lines: readonly string[]): string {
  const hash = createHash("sha256");
  for (const l of lines) hash.update(`${l}\n`);
  return hash.digest("hex");
}
