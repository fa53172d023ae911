import type { Command } from "commander";
import type {
  ChannelDescription, LogDescription, LogReader,
} from "../replay/formats/LogReader.js";
import { Mdf4Reader } from "../replay/formats/mdf4/Mdf4Reader.js";
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

/** What reading a signal group's master channel found: the file's own count may be stale. */
interface SignalGroupScan {
  samples: number;
  firstNs: number | undefined;
  lastNs: number | undefined;
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
        const signals = await scanSignalGroups(reader, description);
        const report = inspectReport(reader, description, inventory, signals);
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

/**
 * Counts the samples of each MDF4 signal group by reading its master channel. An unfinalized
 * file declares 0 cycles however many records it holds, so the declared count is not enough.
 */
async function scanSignalGroups(reader: LogReader, d: LogDescription):
  Promise<Map<number, SignalGroupScan>> {
  const scans = new Map<number, SignalGroupScan>();
  if (!(reader instanceof Mdf4Reader)) return scans;
  for (const [index, group] of d.groups.entries()) {
    const channels = group.channels ?? [];
    const master = channels.find((c) => c.master === true);
    const channel = master ?? channels[0];
    if (group.kind !== "signals" || channel === undefined) continue;
    const scan: SignalGroupScan = { samples: 0, firstNs: undefined, lastNs: undefined };
    for await (const samples of reader.readSignal(index, channel.name)) {
      scan.samples += samples.length;
      // Without a master the sample "time" is the record index: no time span to tell.
      if (master === undefined) continue;
      for (const s of samples) {
        if (scan.firstNs === undefined || s.timeNs < scan.firstNs) scan.firstNs = s.timeNs;
        if (scan.lastNs === undefined || s.timeNs > scan.lastNs) scan.lastNs = s.timeNs;
      }
    }
    scans.set(index, scan);
  }
  return scans;
}

function idKey(id: number, extended: boolean): string {
  return `0x${id.toString(16).toUpperCase().padStart(extended ? 8 : 3, "0")}`;
}

type Report = ReturnType<typeof inspectReport>;

function inspectReport(reader: LogReader, d: LogDescription, inv: LogInventory,
  signals: ReadonlyMap<number, SignalGroupScan>) {
  const startMs = Number(reader.startNs / 1_000_000n);
  const scans = [...signals.values()];
  const first = earliest(inv.firstNs, ...scans.map((s) => s.firstNs));
  const last = latest(inv.lastNs, ...scans.map((s) => s.lastNs));
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
    firstRecordSeconds: seconds(first),
    lastRecordSeconds: seconds(last),
    // The span of the records: some loggers write epoch seconds in the master channel.
    durationSeconds: first === undefined || last === undefined ? 0 : (last - first) / 1e9,
    records: inv.records,
    frames: channels.reduce((n, c) => n + c.frames, 0),
    messages: channels.reduce((n, c) => n + c.messages, 0),
    groups: d.groups.map((g, i) => ({
      name: g.name,
      kind: g.kind,
      count: g.count ?? null,
      samples: signals.get(i)?.samples ?? null,
      type: g.type ?? null,
      channels: g.channels ?? [],
    })),
    channels,
    details: d.details ?? {},
  };
}

/** Where the records begin, when not at the file's start time. */
function span(firstSeconds: number | null): string {
  return firstSeconds === null || firstSeconds === 0
    ? "" : ` (records from ${firstSeconds.toFixed(6)} s after start)`;
}

function seconds(ns: number | undefined): number | null {
  return ns === undefined ? null : ns / 1e9;
}

function earliest(...times: (number | undefined)[]): number | undefined {
  const known = times.filter((t) => t !== undefined);
  return known.length === 0 ? undefined : Math.min(...known);
}

function latest(...times: (number | undefined)[]): number | undefined {
  const known = times.filter((t) => t !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
}

function renderText(r: Report): string {
  const version = r.version ? ` ${r.version}` : "";
  const lines = [
    `file         ${r.file}`,
    `format       ${r.format}${version}${r.producer ? ` (${r.producer.trim()})` : ""}`,
    `finalized    ${r.finalized === null ? "n/a" : r.finalized ? "yes" : "no"}`,
    `compression  ${r.compression.length > 0 ? r.compression.join(", ") : "none"}`,
    `start        ${r.start}`,
    `duration     ${r.durationSeconds.toFixed(6)} s${span(r.firstRecordSeconds)}`,
    `records      ${r.records} (${r.frames} CAN frames, ${r.messages} messages)`,
    `groups       ${r.groups.length}`,
    ...r.groups.flatMap((g) => {
      const count = groupCount(g.count, g.samples);
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

/** The declared count, and the samples read when they differ from it (an unfinalized file). */
function groupCount(declared: number | null, samples: number | null): string {
  if (samples === null) return declared !== null ? `  ${declared}` : "";
  if (declared === null || declared === samples) return `  ${samples} samples`;
  return `  ${samples} samples (file declares ${declared})`;
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
