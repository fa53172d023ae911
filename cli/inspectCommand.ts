import type { Command } from "commander";
import type {
  ChannelDescription, LogDescription, LogReader,
} from "../replay/formats/LogReader.js";
import { openLog } from "../replay/formats/openLog.js";

interface ChannelCounts {
  frames: number;
  messages: number;
  /** Frames per CAN ID, keyed `0x123` (29-bit IDs keep 8 digits). */
  ids: Map<string, number>;
}

export interface LogInventory {
  records: number;
  firstNs: number | undefined;
  lastNs: number | undefined;
  channels: Map<string, ChannelCounts>;
}

export function registerInspectCommand(program: Command): void {
  program
    .command("inspect")
    .description("describe a log: format, start, duration, groups, frames per channel and ID")
    .argument("<log>", "log file or s3://bucket/key URL")
    .option("--json", "print as JSON")
    .action(async (path: string, flags: { json?: boolean }) => {
      const reader = await openLog(path);
      try {
        // After the scan: readers learn some facts (channels seen, every data block's
        // compression) only by reading the records.
        const inventory = await scanLog(reader);
        const description = reader.describe();
        const report = inspectReport(reader, description, inventory);
        process.stdout.write(flags.json ? `${toJson(report)}\n` : renderText(report));
      } finally {
        await reader.close();
      }
    });
}

/** Reads every record once, counting frames per channel and ID; memory grows with IDs only. */
export async function scanLog(reader: LogReader): Promise<LogInventory> {
  const inventory: LogInventory = {
    records: 0,
    firstNs: undefined,
    lastNs: undefined,
    channels: new Map(),
  };
  for await (const batch of reader.batches()) {
    for (const record of batch) {
      inventory.records++;
      inventory.firstNs ??= record.timeNs;
      if (inventory.lastNs === undefined || record.timeNs > inventory.lastNs) {
        inventory.lastNs = record.timeNs;
      }
      let counts = inventory.channels.get(record.channel);
      if (!counts) {
        counts = { frames: 0, messages: 0, ids: new Map() };
        inventory.channels.set(record.channel, counts);
      }
      if (record.kind === "message") {
        counts.messages++;
        continue;
      }
      counts.frames++;
      const key = idKey(record.frame.id, record.frame.extended);
      counts.ids.set(key, (counts.ids.get(key) ?? 0) + 1);
    }
  }
  return inventory;
}

function idKey(id: number, extended: boolean): string {
  return `0x${id.toString(16).toUpperCase().padStart(extended ? 8 : 3, "0")}`;
}

type Report = ReturnType<typeof inspectReport>;

function inspectReport(reader: LogReader, d: LogDescription, inv: LogInventory) {
  const startMs = Number(reader.startNs / 1_000_000n);
  const channels = [...inv.channels].map(([name, c]) => ({
    name,
    frames: c.frames,
    messages: c.messages,
    ids: Object.fromEntries([...c.ids].sort(([a], [b]) => a.localeCompare(b))),
  }));
  return {
    file: reader.name,
    format: d.format,
    version: d.version ?? null,
    producer: d.producer ?? null,
    finalized: d.finalized ?? null,
    compression: d.compression,
    start: new Date(startMs).toISOString(),
    startNs: reader.startNs.toString(),
    firstRecordSeconds: inv.firstNs === undefined ? null : inv.firstNs / 1e9,
    durationSeconds: inv.lastNs === undefined ? 0 : inv.lastNs / 1e9,
    records: inv.records,
    frames: channels.reduce((n, c) => n + c.frames, 0),
    messages: channels.reduce((n, c) => n + c.messages, 0),
    groups: d.groups.map((g) => ({
      name: g.name,
      kind: g.kind,
      count: g.count ?? null,
      type: g.type ?? null,
      channels: g.channels ?? [],
    })),
    channels,
    details: d.details ?? {},
  };
}

function renderText(r: Report): string {
  const version = r.version ? ` ${r.version}` : "";
  const lines = [
    `file         ${r.file}`,
    `format       ${r.format}${version}${r.producer ? ` (${r.producer.trim()})` : ""}`,
    `finalized    ${r.finalized === null ? "n/a" : r.finalized ? "yes" : "no"}`,
    `compression  ${r.compression.length > 0 ? r.compression.join(", ") : "none"}`,
    `start        ${r.start}`,
    `duration     ${r.durationSeconds.toFixed(6)} s`,
    `records      ${r.records} (${r.frames} CAN frames, ${r.messages} messages)`,
    `groups       ${r.groups.length}`,
    ...r.groups.flatMap((g) => {
      const count = g.count !== null ? `  ${g.count}` : "";
      const line = `  ${g.name}  ${g.kind}${count}${g.type ? `  ${g.type}` : ""}`;
      // A signal group's channels are what there is to read; a bus-logging group's are fixed.
      return g.kind === "signals" ? [line, ...g.channels.map(signalLine)] : [line];
    }),
    `channels     ${r.channels.length}`,
  ];
  for (const c of r.channels) {
    lines.push(`  ${c.name}  ${c.frames} frames${c.messages > 0 ? `, ${c.messages} messages` : ""}`);
    for (const [id, n] of Object.entries(c.ids)) lines.push(`    ${id}  ${n}`);
  }
  return `${lines.join("\n")}\n`;
}

function signalLine(c: ChannelDescription): string {
  const facts = [c.dataType, c.bits !== undefined ? `${c.bits} bits` : undefined, c.unit,
    c.conversion, c.master ? "master" : undefined].filter((f) => f !== undefined && f !== "");
  return `    ${c.name}  ${facts.join(", ")}`;
}

/** Readers' details may hold epoch nanoseconds as bigint: JSON gets them as decimal strings. */
function toJson(report: Report): string {
  return JSON.stringify(report, (_key, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value, 2);
}
